using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.History;

/// <summary>A session spec as JSON for the history: no access or client token, no proxy password.</summary>
internal static class SessionSpecJson
{
    public static string WithoutSecrets(SessionSpec spec)
    {
        var json = new JsonObject
        {
            ["name"] = spec.Name,
            ["mode"] = spec.Mode.ToString(),
            ["region"] = spec.Region,
            ["endpoint"] = spec.Endpoint,
            ["services"] = spec.Services,
            ["bindAddress"] = spec.BindAddress,
            ["caPath"] = spec.CaPath,
            ["skipTlsVerify"] = spec.SkipTlsVerify,
            ["httpsProxy"] = WithoutUserInfo(spec.HttpsProxy),
            ["messageFormat"] = spec.MessageFormat.ToString(),
            ["hasClientToken"] = spec.ClientToken is not null,
            ["settings"] = spec.Settings == ProxySettings.Default ? null : JsonNode.Parse(ProxySettingsJson.Export(spec.Settings)),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary><c>http://user:pass@proxy:3128</c> -> <c>http://proxy:3128</c>.</summary>
    private static string? WithoutUserInfo(string? proxy)
    {
        if (proxy is null)
        {
            return null;
        }

        int scheme = proxy.IndexOf("://", StringComparison.Ordinal);
        int at = proxy.LastIndexOf('@');
        return at < 0 ? proxy : scheme >= 0 && scheme < at ? proxy[..(scheme + 3)] + proxy[(at + 1)..] : proxy[(at + 1)..];
    }
}
