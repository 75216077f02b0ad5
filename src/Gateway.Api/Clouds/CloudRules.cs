using System.Net;
using System.Text.RegularExpressions;

namespace Gateway.Api.Clouds;

/// <summary>What a cloud's fields and an OpenTunnel's fields may hold, with messages naming the field.</summary>
internal static partial class CloudRules
{
    public const string ChainSource = "chain";
    public const string StaticSource = "static";
    public const int MaxLifetimeMinutes = 720;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant)]
    public static partial Regex Name();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+\\z", RegexOptions.CultureInvariant)]
    public static partial Regex Region();

    /// <summary>AWS's ThingName and Service shapes: 1-128 of <c>[a-zA-Z0-9:_-]</c>.</summary>
    [GeneratedRegex("^[a-zA-Z0-9:_-]{1,128}\\z", RegexOptions.CultureInvariant)]
    public static partial Regex Identifier();

    [GeneratedRegex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*\\z", RegexOptions.CultureInvariant)]
    public static partial Regex TagText();

    /// <summary>An https URL (http only to a loopback address: answers carry access tokens); null when fine.</summary>
    public static string? CheckManagementEndpoint(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "managementEndpoint must be an https:// URL, e.g. https://api.tunneling.iot-fips.us-east-1.amazonaws.com or this gateway's https://127.0.0.1:5443.";
        }

        if (uri.Scheme == "http" && !(IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)) && uri.Host != "localhost")
        {
            return "managementEndpoint must use https: its answers carry access tokens (http is allowed only to a loopback address).";
        }

        return uri.AbsolutePath == "/" && uri.Query.Length == 0 ? null : "managementEndpoint must have no path or query: the API is served at /.";
    }

    /// <summary>Tags as AWS allows them (1-200, key 1-128, value 0-256, AWS's characters); null when fine.</summary>
    public static string? CheckTags(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return null;
        }

        if (tags.Count > 200)
        {
            return "At most 200 tags are allowed.";
        }

        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > 128 || !TagText().IsMatch(key) || (value ?? string.Empty).Length > 256 || !TagText().IsMatch(value ?? string.Empty))
            {
                return $"Tag '{key}' is not allowed: keys are 1-128 and values 0-256 of letters, digits, spaces and _.:/=+-@.";
            }
        }

        return null;
    }
}
