using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings.ReferenceFormats;
using Gateway.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli;

/// <summary>
/// The reference's <c>--config-dir</c>: every regular file under the directory, recursively (in
/// ordinal path order), read once and parsed by the engine (<see cref="ReferenceFiles.ParseConfigDirectory"/>)
/// as INI lines <c>SERVICE_ID = ENDPOINT</c>. The first file that
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

        // An unreadable file is skipped (warned about as it is read); the others are parsed as one directory.
        var texts = new List<KeyValuePair<string, string>>(files.Count);
        foreach (var file in files)
        {
            if (ReadFile(file, log) is { } text)
            {
                texts.Add(new(file, text));
            }
        }

        var parsed = ReferenceFiles.ParseConfigDirectory(texts, mode);
        foreach (var service in parsed.Services)
        {
            entries[service.ServiceId] = service.Endpoint!;
        }

        var winners = parsed.Services.ToDictionary(s => s.ServiceId, StringComparer.Ordinal);
        foreach (var file in parsed.Files)
        {
            Warn(file, winners, log);
        }

        if (entries.Count == 0 && explicitlyGiven)
        {
            error = $"{CliOptions.ConfigDir.Display} {path}: no file in it defines a service (lines SERVICE_ID = {(mode == SessionMode.Source ? "PORT" : "ENDPOINT")}).";
            return null;
        }

        log.LogInformation("config directory {Path}: {Count} service id(s) from {Files} file(s)", path, entries.Count, files.Count);
        return new ConfigDirectory(path, entries);
    }

    /// <summary>The file's text (bare <c>\r</c> line ends made <c>\n</c>, as File.ReadAllLines splits them), or null after a warning.</summary>
    private static string? ReadFile(string file, ILogger log)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                log.LogWarning("config directory: skipping {File}: {Length} bytes is more than {Max}", file, info.Length, MaxFileBytes);
                return null;
            }

            return File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("config directory: skipping {File}: {Error}", file, ex.Message);
            return null;
        }
    }

    /// <summary>What of one parsed file is not used, and why: its sections, the whole file if it is not INI, entries that do not fit the mode or came too late.</summary>
    private static void Warn(ConfigDirectoryFile file, Dictionary<string, ConfigDirectoryEntry> winners, ILogger log)
    {
        foreach (var section in file.Sections)
        {
            log.LogWarning("config directory: {File} line {Line}: sections are not used; the entries under [{Section}] are ignored", file.Name, section.Line, section.Name);
        }

        if (file.Error is { } error)
        {
            if (error.Key is { } id)
            {
                log.LogWarning("config directory: skipping {File}: service id {Id} is defined twice (line {Line})", file.Name, id, error.Line);
            }
            else
            {
                log.LogWarning("config directory: skipping {File}: line {Line} is not SERVICE_ID = ENDPOINT", file.Name, error.Line);
            }

            return;
        }

        foreach (var entry in file.Entries)
        {
            var winner = winners.GetValueOrDefault(entry.ServiceId);
            if (ReferenceEquals(winner, entry))
            {
                continue;
            }

            if (winner is not null && string.CompareOrdinal(winner.File, file.Name) < 0)
            {
                log.LogDebug("config directory: {File} line {Line}: {Id} is already defined by an earlier file; this one is ignored", file.Name, entry.Line, entry.ServiceId);
            }
            else
            {
                log.LogWarning("config directory: {File} line {Line}: entry {Id} is ignored: {Error}", file.Name, entry.Line, entry.ServiceId, entry.Error ?? "not SERVICE_ID = ENDPOINT");
            }
        }
    }
}
