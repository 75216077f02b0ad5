using Gateway.Engine.Sessions;
using Gateway.Engine.Settings.ReferenceFormats;
using Gateway.Engine.Settings;

namespace Gateway.Api.Profiles;

/// <summary>
/// Reads the text of a reference <c>localproxy --config</c> file (docs/protocol.md section 13) with the engine's
/// parser, as the CLI does (<see cref="ReferenceFiles.ParseConfigFile"/>); an unknown or repeated name is an
/// error naming its line. Only the options a profile can hold are taken; verbose, settings-json
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

        var parsed = ReferenceFiles.ParseConfigFile(text, Classify, UnknownKeyMessage);
        ignored.AddRange(parsed.Ignored.Select(line => $"{line.Name} (line {line.Line})"));
        errors.AddRange(parsed.Errors.Select(error => new SpecError(Field, error.ToString())));
        return parsed.IsValid ? new Dictionary<string, string>(parsed.Values, StringComparer.Ordinal) : null;
    }

    private static ConfigKeyKind Classify(string name) =>
        IgnoredOptions.Contains(name, StringComparer.Ordinal) ? ConfigKeyKind.Ignored
        : name == NoSslHostVerify ? ConfigKeyKind.Switch
        : Options.Contains(name, StringComparer.Ordinal) ? ConfigKeyKind.Value
        : ConfigKeyKind.Unknown;

    // Only a name of the reference is echoed: an unknown one may be a pasted token.
    private static string UnknownKeyMessage(string name) =>
        OtherOptions.Contains(name, StringComparer.Ordinal)
            ? $"'{name}' is an option of localproxy that a profile does not hold (use {string.Join(", ", Options)})."
            : $"the name is not a long option name of localproxy (use {string.Join(", ", Options)}).";
}
