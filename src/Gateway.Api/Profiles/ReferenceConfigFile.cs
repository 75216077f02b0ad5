using Gateway.Engine.Sessions;

namespace Gateway.Api.Profiles;

/// <summary>
/// Reads the text of a reference <c>localproxy --config</c> file (Boost program_options, docs/protocol.md
/// section 13) with the rules of the CLI's ConfigFile: <c>name = value</c> lines of long option names,
/// <c>#</c> comments, <c>[section]</c> headers prefixing names with <c>section.</c>; an unknown or repeated
/// name is an error naming its line. Only the options a profile can hold are taken; verbose, settings-json
/// and config-dir (a process's log level and files on the machine that ran it) are skipped and listed as
/// ignored. Values never appear in messages.
/// </summary>
internal static class ReferenceConfigFile
{
    public const long MaxChars = 1024 * 1024;

    public const string Field = "config";

    public const string Region = "region";
    public const string ProxyEndpoint = "proxy-endpoint";
    public const string AccessToken = "access-token";
    public const string ClientToken = "client-token";
    public const string SourceListenPort = "source-listen-port";
    public const string DestinationApp = "destination-app";
    public const string LocalBindAddress = "local-bind-address";
    public const string CaPath = "capath";
    public const string NoSslHostVerify = "no-ssl-host-verify";
    public const string Mode = "mode";
    public const string DestinationClientType = "destination-client-type";

    public static readonly string[] Options =
    [
        Region, ProxyEndpoint, AccessToken, ClientToken, SourceListenPort, DestinationApp, LocalBindAddress, CaPath,
        NoSslHostVerify, Mode, DestinationClientType,
    ];

    /// <summary>Options of a localproxy process, not of a tunnel end: a file that sets them is imported without them.</summary>
    public static readonly string[] IgnoredOptions = ["verbose", "settings-json", "config-dir"];

    /// <summary>The reference's other long options: named in errors, but not importable (they are commands, not settings).</summary>
    private static readonly string[] OtherOptions = ["help", "version", "config", "export-default-settings"];

    private static readonly string[] TrueWords = ["true", "yes", "on", "1"];
    private static readonly string[] FalseWords = ["false", "no", "off", "0"];

    /// <summary>Option name to value (a switch as <c>true</c>/<c>false</c>), or null with the errors in <paramref name="errors"/>.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="errors">Where the errors go.</param>
    /// <param name="ignored">Where the skipped options of <see cref="IgnoredOptions"/> go, as "name (line N)".</param>
    public static Dictionary<string, string>? Read(string text, List<SpecError> errors, List<string> ignored)
    {
        ArgumentNullException.ThrowIfNull(ignored);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxChars)
        {
            errors.Add(new SpecError(Field, $"The config is {text.Length} characters; at most {MaxChars} are allowed."));
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

            string at = $"line {i + 1}";
            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3)
                {
                    errors.Add(new SpecError(Field, $"{at}: a section header must look like [name]."));
                    continue;
                }

                prefix = line[1..^1].Trim() + ".";
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add(new SpecError(Field, $"{at}: expected 'name = value' with a long option name such as region or access-token."));
                continue;
            }

            string name = prefix + line[..equals].Trim();
            string value = line[(equals + 1)..].Trim();
            if (IgnoredOptions.Contains(name, StringComparer.Ordinal))
            {
                ignored.Add($"{name} ({at})");
                continue;
            }

            if (!Options.Contains(name, StringComparer.Ordinal))
            {
                // Only a name of the reference is echoed: an unknown one may be a pasted token.
                errors.Add(new SpecError(Field, OtherOptions.Contains(name, StringComparer.Ordinal)
                    ? $"{at}: '{name}' is an option of localproxy that a profile does not hold (use {string.Join(", ", Options)})."
                    : $"{at}: the name is not a long option name of localproxy (use {string.Join(", ", Options)})."));
                continue;
            }

            if (values.ContainsKey(name))
            {
                errors.Add(new SpecError(Field, $"{at}: '{name}' is given more than once."));
                continue;
            }

            if (name == NoSslHostVerify)
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
                    errors.Add(new SpecError(Field, $"{at}: '{name}' is a switch: its value must be true or false."));
                    continue;
                }
            }

            values[name] = value;
        }

        return errors.Count == before ? values : null;
    }
}
