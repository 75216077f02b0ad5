using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings.ReferenceFormats;
using Gateway.Engine.Settings;

namespace Gateway.Api.Profiles;

/// <summary>
/// Reads the files of a reference <c>--config-dir</c> given as text (relative name to content) with the
/// engine's parser, as the CLI does (<see cref="ReferenceFiles.ParseConfigDirectory"/>): INI lines
/// <c>SERVICE_ID = ENDPOINT</c>, files in ordinal name order, the first file defining an id wins. Where the
/// CLI skips a file with a warning, the API refuses it with an error naming the file (and line): an import
/// should not half-work.
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
        if (files.Count > MaxFiles)
        {
            errors.Add(new SpecError(Field, $"{files.Count} files are given; at most {MaxFiles} are allowed."));
            return [];
        }

        // At most one error per file, in the order of the file names.
        var problems = new List<(string File, SpecError Error)>();
        var texts = new List<KeyValuePair<string, string>>(files.Count);
        foreach (var (name, text) in files)
        {
            if (!IsRelativeName(name))
            {
                problems.Add((name, new SpecError(Field, $"'{Shorten(name)}' is not a relative file name (1 to {MaxFileNameLength} characters, no leading '/', no '..' segment).")));
            }
            else if (text is null || text.Length > MaxFileChars)
            {
                problems.Add((name, new SpecError(Field, $"{name}: the file must be text of at most {MaxFileChars} characters.")));
            }
            else
            {
                texts.Add(new(name, text));
            }
        }

        var parsed = ReferenceFiles.ParseConfigDirectory(texts, mode);
        foreach (var file in parsed.Files)
        {
            if (FirstProblem(file) is { } problem)
            {
                problems.Add((file.Name, new SpecError(Field, problem)));
            }
        }

        errors.AddRange(problems.OrderBy(p => p.File, StringComparer.Ordinal).Select(p => p.Error));

        // docs/protocol.md section 13: the first file that defines an id wins.
        return [.. parsed.Services.Select(service => $"{service.ServiceId}={service.Value}")];
    }

    /// <summary>
    /// The first line that makes a file unusable for an import, or null: where the CLI skips a file or an
    /// entry with a warning, or ignores a section's entries, an import refuses the file.
    /// </summary>
    private static string? FirstProblem(ConfigDirectoryFile file)
    {
        var candidates = new List<(int Line, string Message)>();
        if (file.Sections.Count > 0)
        {
            int line = file.Sections[0].Line;
            candidates.Add((line, $"{file.Name} line {line}: sections are not used by --config-dir; put SERVICE_ID = ENDPOINT lines outside any [section]."));
        }

        if (file.Error is { } error)
        {
            candidates.Add((error.Line, error.ToString()));
        }

        if (file.Entries.FirstOrDefault(e => e.Error is not null) is { } entry)
        {
            candidates.Add((entry.Line, $"{file.Name} line {entry.Line}: {entry.Error}"));
        }

        return candidates.Count == 0 ? null : candidates.MinBy(c => c.Line).Message;
    }

    private static bool IsRelativeName(string name) =>
        name.Length is > 0 and <= MaxFileNameLength
        && !name.StartsWith('/') && !name.StartsWith('\\')
        && !name.Any(char.IsControl)
        && !name.Split('/', '\\').Any(segment => segment is "" or "." or "..");

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
