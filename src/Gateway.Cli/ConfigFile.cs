namespace Gateway.Cli;

/// <summary>
/// Reads a <c>--config</c> file the way the reference's Boost.Program_options does: <c>name = value</c>
/// lines with long option names, <c>#</c> comments, <c>[section]</c> headers prefixing names with
/// <c>section.</c>. Unknown names and repeated options are errors. Values are never echoed in messages.
/// </summary>
internal static class ConfigFile
{
    public const long MaxBytes = 1024 * 1024;

    private static readonly string[] TrueWords = ["true", "yes", "on", "1"];
    private static readonly string[] FalseWords = ["false", "no", "off", "0"];

    /// <summary>Option long name -> value. Errors are added to <paramref name="errors"/>; null if the file cannot be used.</summary>
    public static Dictionary<string, string>? Read(string path, List<string> errors)
    {
        string where = $"{CliOptions.Config.Display} {path}";
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                errors.Add($"{where}: the file does not exist.");
                return null;
            }

            if (info.Length > MaxBytes)
            {
                errors.Add($"{where}: the file is {info.Length} bytes; a config file may have at most {MaxBytes}.");
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{where}: cannot be read: {ex.Message}");
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        int before = errors.Count;
        string prefix = string.Empty;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
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

            string at = $"{where}, line {i + 1}";
            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3)
                {
                    errors.Add($"{at}: a section header must look like [name].");
                    continue;
                }

                prefix = line[1..^1].Trim() + ".";
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add($"{at}: expected 'name = value' with a long option name such as region or access-token.");
                continue;
            }

            string name = prefix + line[..equals].Trim();
            string value = line[(equals + 1)..].Trim();
            var option = CliOptions.All.FirstOrDefault(o => o.Long == name);
            if (option is null || !option.InConfigFile)
            {
                errors.Add(option is null
                    ? $"{at}: '{name}' is not an option of localproxy (use long names: {string.Join(", ", CliOptions.All.Where(o => o.InConfigFile).Select(o => o.Long))})."
                    : $"{at}: '{name}' can only be given on the command line.");
                continue;
            }

            if (values.ContainsKey(name))
            {
                errors.Add($"{at}: '{name}' is given more than once.");
                continue;
            }

            if (option.IsFlag)
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
                    errors.Add($"{at}: '{name}' is a switch: its value must be true or false.");
                    continue;
                }
            }

            values[name] = value;
        }

        return errors.Count == before ? values : null;
    }
}
