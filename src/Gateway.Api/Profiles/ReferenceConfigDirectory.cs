using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Profiles;

/// <summary>
/// Reads the files of a reference <c>--config-dir</c> given as text (relative name to content), with the
/// CLI's ConfigDirectory rules: INI lines <c>SERVICE_ID = ENDPOINT</c>, <c>;</c>/<c>#</c> comments, files in
/// ordinal name order, the first file defining an id wins. Where the CLI skips a file with a warning,
/// the API refuses it with an error naming the file (and line): an import should not half-work.
/// </summary>
internal static class ReferenceConfigDirectory
{
    public const string Field = "configDir";

    public const int MaxFiles = 1000;

    public const int MaxFileChars = 1024 * 1024;

    public const int MaxFileNameLength = 1024;

    /// <summary>
    /// The service map, as <c>ID=ENDPOINT</c> entries in definition order. Entries are checked against
    /// <paramref name="mode"/> (skipped when the mode is unknown); errors go to <paramref name="errors"/>.
    /// </summary>
    public static List<string> Read(IReadOnlyDictionary<string, string> files, SessionMode? mode, List<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(files);
        var entries = new List<string>();
        if (files.Count > MaxFiles)
        {
            errors.Add(new SpecError(Field, $"{files.Count} files are given; at most {MaxFiles} are allowed."));
            return entries;
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!IsRelativeName(name))
            {
                errors.Add(new SpecError(Field, $"'{Shorten(name)}' is not a relative file name (1 to {MaxFileNameLength} characters, no leading '/', no '..' segment)."));
                continue;
            }

            if (text is null || text.Length > MaxFileChars)
            {
                errors.Add(new SpecError(Field, $"{name}: the file must be text of at most {MaxFileChars} characters."));
                continue;
            }

            var parsed = ParseFile(name, text, mode, errors);
            foreach (var (id, value) in parsed)
            {
                // docs/protocol.md section 13: the first file that defines an id wins.
                if (defined.Add(id))
                {
                    entries.Add($"{id}={value}");
                }
            }
        }

        return entries;
    }

    /// <summary>One file's entries, or none (and an error) when any line is not usable.</summary>
    private static List<(string Id, string Value)> ParseFile(string name, string text, SessionMode? mode, List<SpecError> errors)
    {
        var parsed = new List<(string Id, string Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            string at = $"{name} line {i + 1}";
            if (line[0] == '[')
            {
                // The CLI ignores entries under a section with a warning; an import refuses them.
                errors.Add(new SpecError(Field, $"{at}: sections are not used by --config-dir; put SERVICE_ID = ENDPOINT lines outside any [section]."));
                return [];
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new SpecError(Field, $"{at}: the file cannot be parsed: expected SERVICE_ID = ENDPOINT."));
                return [];
            }

            string id = line[..equals].Trim();
            string value = line[(equals + 1)..].Trim();
            if (!seen.Add(id))
            {
                errors.Add(new SpecError(Field, $"{at}: the file cannot be parsed: service id '{Shorten(id)}' is defined twice."));
                return [];
            }

            if (mode is { } known)
            {
                var entryErrors = new List<SpecError>();
                var mapping = ServiceMapParser.Parse($"{id}={value}", known, Field, entryErrors);
                if (entryErrors.Count > 0 || mapping.Count != 1 || mapping[0].ServiceId is null)
                {
                    string reason = entryErrors.Count > 0 ? entryErrors[0].Message : "expected SERVICE_ID = ENDPOINT";
                    errors.Add(new SpecError(Field, $"{at}: {reason}"));
                    return [];
                }
            }

            parsed.Add((id, value));
        }

        return parsed;
    }

    private static bool IsRelativeName(string name) =>
        name.Length is > 0 and <= MaxFileNameLength
        && !name.StartsWith('/') && !name.StartsWith('\\')
        && !name.Any(char.IsControl)
        && !name.Split('/', '\\').Any(segment => segment is "" or "." or "..");

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
