using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli;

/// <summary>
/// The reference's <c>--config-dir</c>: every regular file under the directory, recursively (in
/// ordinal path order), read once as INI lines <c>SERVICE_ID = ENDPOINT</c>. The first file that
/// defines an id wins; a file that cannot be parsed is skipped with a warning, as is an entry whose
/// endpoint does not fit the mode. Used for ids that SERVICE_IDS names and no -s/-d map does.
/// </summary>
internal sealed class ConfigDirectory : IServiceIdResolver
{
    public const string DefaultPath = "config";

    public const long MaxFileBytes = 1024 * 1024;

    private readonly Dictionary<string, ServiceEndpoint> _entries;

    private ConfigDirectory(string path, Dictionary<string, ServiceEndpoint> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, ServiceEndpoint> Entries => _entries;

    public ServiceEndpoint? Resolve(string serviceId) => _entries.GetValueOrDefault(serviceId);

    /// <summary>
    /// Loads <paramref name="path"/>. When <paramref name="explicitlyGiven"/>, a missing directory or one
    /// without any usable entry is an error (null and <paramref name="error"/>); the default
    /// <c>./config</c> may be absent.
    /// </summary>
    public static ConfigDirectory? Load(string path, bool explicitlyGiven, SessionMode mode, ILogger log, out string? error)
    {
        error = null;
        var entries = new Dictionary<string, ServiceEndpoint>(StringComparer.Ordinal);
        if (!Directory.Exists(path))
        {
            if (explicitlyGiven)
            {
                error = $"{CliOptions.ConfigDir.Display} {path}: the directory does not exist.";
                return null;
            }

            log.LogDebug("no config directory at {Path}; service ids must come from -s/-d", path);
            return new ConfigDirectory(path, entries);
        }

        List<string> files;
        try
        {
            files = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None })
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{CliOptions.ConfigDir.Display} {path}: cannot be listed: {ex.Message}";
            return null;
        }

        foreach (var file in files)
        {
            ReadFile(file, mode, entries, log);
        }

        if (entries.Count == 0 && explicitlyGiven)
        {
            error = $"{CliOptions.ConfigDir.Display} {path}: no file in it defines a service (lines SERVICE_ID = {(mode == SessionMode.Source ? "PORT" : "ENDPOINT")}).";
            return null;
        }

        log.LogInformation("config directory {Path}: {Count} service id(s) from {Files} file(s)", path, entries.Count, files.Count);
        return new ConfigDirectory(path, entries);
    }

    private static void ReadFile(string file, SessionMode mode, Dictionary<string, ServiceEndpoint> entries, ILogger log)
    {
        string[] lines;
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                log.LogWarning("config directory: skipping {File}: {Length} bytes is more than {Max}", file, info.Length, MaxFileBytes);
                return;
            }

            lines = File.ReadAllLines(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("config directory: skipping {File}: {Error}", file, ex.Message);
            return;
        }

        // Parse the whole file first: one that is not INI is skipped entirely, like the reference.
        var parsed = new List<(string Id, string Value, int Line)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool inSection = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                inSection = true;
                log.LogWarning("config directory: {File} line {Line}: sections are not used; the entries under [{Section}] are ignored", file, i + 1, line[1..^1]);
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line.Contains('\0', StringComparison.Ordinal))
            {
                log.LogWarning("config directory: skipping {File}: line {Line} is not SERVICE_ID = ENDPOINT", file, i + 1);
                return;
            }

            string id = line[..equals].Trim();
            if (!seen.Add(id))
            {
                log.LogWarning("config directory: skipping {File}: service id {Id} is defined twice (line {Line})", file, id, i + 1);
                return;
            }

            if (!inSection)
            {
                parsed.Add((id, line[(equals + 1)..].Trim(), i + 1));
            }
        }

        foreach (var (id, value, lineNumber) in parsed)
        {
            if (entries.ContainsKey(id))
            {
                log.LogDebug("config directory: {File} line {Line}: {Id} is already defined by an earlier file; this one is ignored", file, lineNumber, id);
                continue;
            }

            var errors = new List<SpecError>();
            var mapping = ServiceMapParser.Parse($"{id}={value}", mode, "entry", errors);
            if (errors.Count > 0 || mapping.Count != 1 || mapping[0].ServiceId is null)
            {
                log.LogWarning("config directory: {File} line {Line}: entry {Id} is ignored: {Error}", file, lineNumber, id, errors.Count > 0 ? errors[0].Message : "not SERVICE_ID = ENDPOINT");
                continue;
            }

            entries[id] = mapping[0].Endpoint;
        }
    }
}
