using Gateway.Engine.Settings.ReferenceFormats;

namespace Gateway.Cli;

/// <summary>
/// Reads a <c>--config</c> file (the engine's <see cref="ReferenceFiles.ParseConfigFile"/>: <c>name = value</c>
/// lines, <c>#</c> comments, <c>[section]</c> prefixes) with localproxy's long option names; unknown names,
/// command-line-only options and repeated options are errors. Values are never echoed in messages.
/// </summary>
internal static class ConfigFile
{
    public const long MaxBytes = 1024 * 1024;

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

        var parsed = ReferenceFiles.ParseConfigFile(text, Classify, UnknownKeyMessage);
        foreach (var error in parsed.Errors)
        {
            errors.Add($"{where}, line {error.Line}: {error.Message}");
        }

        return parsed.IsValid ? new Dictionary<string, string>(parsed.Values, StringComparer.Ordinal) : null;
    }

    private static ConfigKeyKind Classify(string name) =>
        Find(name) is { InConfigFile: true } option ? (option.IsFlag ? ConfigKeyKind.Switch : ConfigKeyKind.Value) : ConfigKeyKind.Unknown;

    private static string UnknownKeyMessage(string name) =>
        Find(name) is null
            ? $"'{name}' is not an option of localproxy (use long names: {string.Join(", ", CliOptions.All.Where(o => o.InConfigFile).Select(o => o.Long))})."
            : $"'{name}' can only be given on the command line.";

    private static CliOption? Find(string name) => CliOptions.All.FirstOrDefault(o => o.Long == name);
}
