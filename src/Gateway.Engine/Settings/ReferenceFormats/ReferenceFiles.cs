using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Settings.ReferenceFormats;

/// <summary>
/// Parsers of the reference localproxy's two setting files, from their text (reading them, and any size
/// limit, is the caller's part): the <c>--config</c> file of <c>name = value</c> lines, and the
/// <c>--config-dir</c> files of <c>SERVICE_ID = ENDPOINT</c> lines. Errors name the file (if any), the line
/// and the key; values never appear in them.
/// </summary>
public static class ReferenceFiles
{
    private static readonly string[] TrueWords = ["true", "yes", "on", "1"];
    private static readonly string[] FalseWords = ["false", "no", "off", "0"];

    /// <summary>
    /// Parses the text of a <c>--config</c> file as the reference's Boost program_options does: one
    /// <c>name = value</c> per line with long option names, <c>#</c> starting a comment anywhere,
    /// <c>[section]</c> headers prefixing the names after them with <c>section.</c>. A repeated name is an
    /// error; a switch's value must be true/yes/on/1 or false/no/off/0 (any case) and is given back as
    /// <c>true</c> or <c>false</c>.
    /// </summary>
    /// <param name="text">The file's text; lines end at <c>\n</c> (a <c>\r</c> before it is trimmed).</param>
    /// <param name="classify">What a name (with its section prefix) is to the caller.</param>
    /// <param name="unknownKeyMessage">The error message for a name <paramref name="classify"/> calls <see cref="ConfigKeyKind.Unknown"/> (without the line).</param>
    /// <returns>The values of the accepted names, the ignored lines and every error, in line order.</returns>
    public static ConfigFileResult ParseConfigFile(string text, Func<string, ConfigKeyKind> classify, Func<string, string> unknownKeyMessage)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(classify);
        ArgumentNullException.ThrowIfNull(unknownKeyMessage);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<ConfigFileLine>();
        var errors = new List<ReferenceFileError>();
        string prefix = string.Empty;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i];
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3)
                {
                    errors.Add(new ReferenceFileError(null, number, null, "a section header must look like [name]."));
                    continue;
                }

                prefix = line[1..^1].Trim() + ".";
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add(new ReferenceFileError(null, number, null, "expected 'name = value' with a long option name such as region or access-token."));
                continue;
            }

            string name = prefix + line[..equals].Trim();
            string value = line[(equals + 1)..].Trim();
            var kind = classify(name);
            if (kind == ConfigKeyKind.Ignored)
            {
                ignored.Add(new ConfigFileLine(number, name, value));
                continue;
            }

            if (kind is not (ConfigKeyKind.Value or ConfigKeyKind.Switch))
            {
                errors.Add(new ReferenceFileError(null, number, name, unknownKeyMessage(name)));
                continue;
            }

            if (values.ContainsKey(name))
            {
                errors.Add(new ReferenceFileError(null, number, name, $"'{name}' is given more than once."));
                continue;
            }

            if (kind == ConfigKeyKind.Switch)
            {
                if (TrueWords.Contains(value, StringComparer.OrdinalIgnoreCase))
                {
                    value = "true";
                }
                else if (FalseWords.Contains(value, StringComparer.OrdinalIgnoreCase))
                {
                    value = "false";
                }
                else
                {
                    errors.Add(new ReferenceFileError(null, number, name, $"'{name}' is a switch: its value must be true or false."));
                    continue;
                }
            }

            values[name] = value;
        }

        return new ConfigFileResult(values, ignored, errors);
    }

    /// <summary>
    /// Parses the files of a <c>--config-dir</c> as the reference does (docs/protocol.md section 13): INI lines
    /// <c>SERVICE_ID = ENDPOINT</c>, <c>;</c> or <c>#</c> starting a comment line, in ordinal name order. A
    /// file with a line that is not an entry, not a closed <c>[section]</c> header and not a comment, or
    /// with an id defined twice, cannot be used at all (<see cref="ConfigDirectoryFile.Error"/>). Entries
    /// under a section are not used (their sections are listed). The first usable definition of an id wins.
    /// </summary>
    /// <param name="files">Each file's name (a path, or a name relative to the directory) and text; lines end at <c>\n</c>.</param>
    /// <param name="mode">The tunnel end the entries are for: each is checked as a <c>-s</c>/<c>-d</c> map entry of that mode
    /// (<see cref="ConfigDirectoryEntry.Endpoint"/> or <see cref="ConfigDirectoryEntry.Error"/>); null leaves them unchecked.</param>
    /// <returns>Every file's parse, in name order, and the services they define.</returns>
    public static ConfigDirectoryResult ParseConfigDirectory(IEnumerable<KeyValuePair<string, string>> files, SessionMode? mode)
    {
        ArgumentNullException.ThrowIfNull(files);
        var parsed = files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => ParseDirectoryFile(f.Key, f.Value, mode)).ToList();
        var services = new List<ConfigDirectoryEntry>();
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in parsed.Where(f => f.Error is null))
        {
            foreach (var entry in file.Entries)
            {
                if (entry.Error is null && defined.Add(entry.ServiceId))
                {
                    services.Add(entry);
                }
            }
        }

        return new ConfigDirectoryResult(parsed, services);
    }

    /// <summary>One file, up to its first fatal line: a file that is not INI is not used at all, like the reference.</summary>
    private static ConfigDirectoryFile ParseDirectoryFile(string name, string text, SessionMode? mode)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<ConfigDirectoryEntry>();
        var sections = new List<ConfigDirectorySection>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool inSection = false;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                inSection = true;
                sections.Add(new ConfigDirectorySection(number, line[1..^1]));
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line[0] == '[' || equals <= 0 || line.Contains('\0', StringComparison.Ordinal))
            {
                var error = new ReferenceFileError(name, number, null, line[0] == '['
                    ? "the file cannot be parsed: a section header must look like [name]."
                    : "the file cannot be parsed: expected SERVICE_ID = ENDPOINT.");
                return new ConfigDirectoryFile(name, entries, sections, error);
            }

            string id = line[..equals].Trim();
            string value = line[(equals + 1)..].Trim();
            if (!seen.Add(id))
            {
                var error = new ReferenceFileError(name, number, id, $"the file cannot be parsed: service id '{Shorten(id)}' is defined twice.");
                return new ConfigDirectoryFile(name, entries, sections, error);
            }

            if (!inSection)
            {
                entries.Add(Entry(name, number, id, value, mode));
            }
        }

        return new ConfigDirectoryFile(name, entries, sections, null);
    }

    private static ConfigDirectoryEntry Entry(string file, int line, string id, string value, SessionMode? mode)
    {
        if (mode is not { } known)
        {
            return new ConfigDirectoryEntry(file, line, id, value, null, null);
        }

        var errors = new List<SpecError>();
        var mapping = ServiceMapParser.Parse($"{id}={value}", known, "entry", errors);
        return errors.Count == 0 && mapping.Count == 1 && mapping[0].ServiceId is not null
            ? new ConfigDirectoryEntry(file, line, id, value, mapping[0].Endpoint, null)
            : new ConfigDirectoryEntry(file, line, id, value, null, errors.Count > 0 ? errors[0].Message : "expected SERVICE_ID = ENDPOINT");
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
