using System.Text.RegularExpressions;

namespace Gateway.Api.History;

/// <summary>
/// What an audited call did, in words (<c>Stop session</c>, <c>Revoke API key</c>), from its method
/// and path; and the areas the audit log can be filtered by (each a path prefix).
/// </summary>
internal static partial class AuditActions
{
    /// <summary>Area name (the <c>area</c> filter of <c>GET /api/audit</c>) and the path prefix it stands for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Areas = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sessions"] = "/api/tunnels",
        ["relay"] = "/api/relay",
        ["profiles"] = "/api/profiles",
        ["users"] = "/api/users",
        ["api-keys"] = "/api/keys",
        ["aws-keys"] = "/api/aws-keys",
        ["auth"] = "/api/auth",
        ["aws-api"] = AwsApiPrefix,
        ["agents"] = "/api/agents",
    };

    /// <summary>How the AWS management API's calls are recorded: <c>/ IoTSecuredTunneling.OpenTunnel</c> (AwsManagementEndpoint).</summary>
    private const string AwsApiPrefix = "/ " + Engine.Relay.Management.ManagementOperations.TargetPrefix;

    private static readonly (string Method, Regex Path, string Action)[] Known =
    [
        ("POST", LoginPath(), "Log in"),
        ("POST", LogoutPath(), "Log out"),
        ("POST", PasswordPath(), "Change own password"),
        ("POST", TunnelsPath(), "Start session"),
        ("DELETE", EndedTunnelsPath(), "Clear ended sessions"),
        ("DELETE", ConnectionPath(), "Disconnect a connection"),
        ("DELETE", TunnelPath(), "Stop session"),
        ("POST", RelayTunnelsPath(), "Open relay tunnel"),
        ("POST", RotatePath(), "Rotate relay tunnel tokens"),
        ("DELETE", RelayTunnelPath(), "Close relay tunnel"),
        ("POST", ProfilesPath(), "Create profile"),
        ("POST", ImportProfilesPath(), "Import profiles"),
        ("POST", ImportConfigPath(), "Import a localproxy config"),
        ("PUT", ProfilePath(), "Update profile"),
        ("DELETE", ProfilePath(), "Delete profile"),
        ("POST", UsersPath(), "Create user"),
        ("PUT", UserPath(), "Change user (role or password)"),
        ("DELETE", UserPath(), "Delete user"),
        ("POST", KeysPath(), "Create API key"),
        ("DELETE", KeyPath(), "Revoke API key"),
        ("POST", AwsKeysPath(), "Create AWS access key"),
        ("DELETE", AwsKeyPath(), "Revoke AWS access key"),
        ("PUT", AgentPath(), "Create or change agent"),
        ("DELETE", AgentPath(), "Delete agent"),
        ("MQTT", NotifyTopic(), "Tunnel notification refused"),
    ];

    /// <summary>The action's words; an unknown call is shown as its method and path.</summary>
    public static string Describe(string method, string path)
    {
        if (path.StartsWith(AwsApiPrefix, StringComparison.Ordinal))
        {
            return "AWS API: " + path[AwsApiPrefix.Length..];
        }

        foreach (var (m, pattern, action) in Known)
        {
            if (string.Equals(m, method, StringComparison.OrdinalIgnoreCase) && pattern.IsMatch(path))
            {
                return action;
            }
        }

        return $"{method} {path}";
    }

    [GeneratedRegex("^/api/auth/login/?$", RegexOptions.IgnoreCase)]
    private static partial Regex LoginPath();

    [GeneratedRegex("^/api/auth/logout/?$", RegexOptions.IgnoreCase)]
    private static partial Regex LogoutPath();

    [GeneratedRegex("^/api/auth/password/?$", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPath();

    [GeneratedRegex("^/api/tunnels/?$", RegexOptions.IgnoreCase)]
    private static partial Regex TunnelsPath();

    [GeneratedRegex("^/api/tunnels/ended/?$", RegexOptions.IgnoreCase)]
    private static partial Regex EndedTunnelsPath();

    [GeneratedRegex("^/api/tunnels/[^/]+/connections/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionPath();

    [GeneratedRegex("^/api/tunnels/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex TunnelPath();

    [GeneratedRegex("^/api/relay/tunnels/?$", RegexOptions.IgnoreCase)]
    private static partial Regex RelayTunnelsPath();

    [GeneratedRegex("^/api/relay/tunnels/[^/]+/rotate/?$", RegexOptions.IgnoreCase)]
    private static partial Regex RotatePath();

    [GeneratedRegex("^/api/relay/tunnels/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex RelayTunnelPath();

    [GeneratedRegex("^/api/profiles/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ProfilesPath();

    [GeneratedRegex("^/api/profiles/import/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ImportProfilesPath();

    [GeneratedRegex("^/api/profiles/import-config/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ImportConfigPath();

    [GeneratedRegex("^/api/profiles/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ProfilePath();

    [GeneratedRegex("^/api/users/?$", RegexOptions.IgnoreCase)]
    private static partial Regex UsersPath();

    [GeneratedRegex("^/api/users/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex UserPath();

    [GeneratedRegex("^/api/keys/?$", RegexOptions.IgnoreCase)]
    private static partial Regex KeysPath();

    [GeneratedRegex("^/api/keys/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex KeyPath();

    [GeneratedRegex("^/api/aws-keys/?$", RegexOptions.IgnoreCase)]
    private static partial Regex AwsKeysPath();

    [GeneratedRegex("^/api/aws-keys/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex AwsKeyPath();

    [GeneratedRegex("^/api/agents/[^/]+/?$", RegexOptions.IgnoreCase)]
    private static partial Regex AgentPath();

    /// <summary>An agent's refusal of a notification (AgentNotices): the topic, then the reason.</summary>
    [GeneratedRegex("^\\$aws/things/[^/]+/tunnels/notify ", RegexOptions.None)]
    private static partial Regex NotifyTopic();
}
