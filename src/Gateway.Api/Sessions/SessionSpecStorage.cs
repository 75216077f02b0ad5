using System.Text.Json.Nodes;
using System.Text.Json;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Sessions;

/// <summary>
/// A whole session spec as JSON, tokens and proxy password included, for <see cref="SessionResumption"/>
/// to protect at rest and start again after a restart. Never logged, never sent anywhere.
/// </summary>
internal static class SessionSpecStorage
{
    public static string ToJson(SessionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var json = new JsonObject
        {
            ["name"] = spec.Name,
            ["profileId"] = spec.ProfileId,
            ["mode"] = spec.Mode.ToString(),
            ["region"] = spec.Region,
            ["endpoint"] = spec.Endpoint,
            ["accessToken"] = spec.AccessToken,
            ["clientToken"] = spec.ClientToken,
            ["services"] = spec.Services,
            ["bindAddress"] = spec.BindAddress,
            ["caPath"] = spec.CaPath,
            ["skipTlsVerify"] = spec.SkipTlsVerify,
            ["httpsProxy"] = spec.HttpsProxy,
            ["messageFormat"] = spec.MessageFormat.ToString(),
            ["settings"] = JsonNode.Parse(ProxySettingsJson.Export(spec.Settings)),
        };
        if (spec.Tunnel is { } tunnel)
        {
            json["tunnel"] = new JsonObject
            {
                ["cloud"] = tunnel.Cloud,
                ["tunnelId"] = tunnel.TunnelId,
                ["tunnelArn"] = tunnel.TunnelArn,
                ["openedHere"] = tunnel.OpenedHere,
            };
        }

        return json.ToJsonString();
    }

    /// <summary>The spec, or null when <paramref name="text"/> is not one this class wrote.</summary>
    public static SessionSpec? FromJson(string text)
    {
        try
        {
            var json = JsonNode.Parse(text)?.AsObject();
            if (json is null || !Enum.TryParse<SessionMode>((string?)json["mode"], out var mode))
            {
                return null;
            }

            var settings = ProxySettings.Default;
            if (json["settings"] is JsonObject stored && ProxySettingsJson.Import(stored.ToJsonString()).Settings is { } imported)
            {
                settings = imported;
            }

            SessionTunnel? tunnel = null;
            if (json["tunnel"] is JsonObject t && (string?)t["cloud"] is { } cloud && (string?)t["tunnelId"] is { } tunnelId)
            {
                tunnel = new SessionTunnel(cloud, tunnelId, (string?)t["tunnelArn"], (bool?)t["openedHere"] ?? false);
            }

            return new SessionSpec
            {
                Name = (string?)json["name"],
                ProfileId = (string?)json["profileId"],
                Mode = mode,
                Region = (string?)json["region"],
                Endpoint = (string?)json["endpoint"],
                AccessToken = (string?)json["accessToken"] ?? string.Empty,
                ClientToken = (string?)json["clientToken"],
                Services = (string?)json["services"],
                BindAddress = (string?)json["bindAddress"],
                CaPath = (string?)json["caPath"],
                SkipTlsVerify = (bool?)json["skipTlsVerify"] ?? false,
                HttpsProxy = (string?)json["httpsProxy"],
                MessageFormat = Enum.TryParse<MessageFormat>((string?)json["messageFormat"], out var format) ? format : MessageFormat.V3,
                Settings = settings,
                Tunnel = tunnel,
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
