using System.Buffers;
using System.Text.Json;
using Gateway.Api.Clouds;

namespace Gateway.Api.Agents;

/// <summary>
/// A tunnel notification as AWS publishes it to <c>$aws/things/&lt;thing&gt;/tunnels/notify</c>:
/// <c>{"clientAccessToken":"…","clientMode":"destination","region":"…","services":["SSH"]}</c>,
/// checked as the AWS IoT Device Client checks it (aws-management-api.md section 4).
/// </summary>
internal sealed record TunnelNotification(string AccessToken, string Region, IReadOnlyList<string> Services)
{
    private const int MaxTokenLength = 8192;

    /// <summary>The notification, or what is wrong with the payload (never quoting the token).</summary>
    public static (TunnelNotification? Notification, string? Problem) Parse(ReadOnlySequence<byte> payload)
    {
        JsonDocument document;
        try
        {
            // The whole payload is one JSON value (nothing after it), nested at most 8 deep.
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            return (null, $"the payload is not JSON ({ex.Message.Split('.')[0]})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, $"the payload is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            }

            if (!root.TryGetProperty("clientMode", out var mode) || mode.ValueKind != JsonValueKind.String || mode.GetString() != "destination")
            {
                return (null, "clientMode is not \"destination\"");
            }

            if (!root.TryGetProperty("services", out var services) || services.ValueKind != JsonValueKind.Array || services.GetArrayLength() == 0)
            {
                return (null, "services is not a non-empty array");
            }

            var names = new List<string>();
            foreach (var service in services.EnumerateArray())
            {
                if (service.ValueKind != JsonValueKind.String || service.GetString() is not { } name || !CloudRules.Identifier().IsMatch(name))
                {
                    return (null, "services holds an entry that is not a service name (1 to 128 of letters, digits, ':', '_', '-')");
                }

                if (names.Contains(name, StringComparer.Ordinal))
                {
                    return (null, $"services names {name} twice");
                }

                names.Add(name);
            }

            if (!root.TryGetProperty("region", out var regionElement) || regionElement.ValueKind != JsonValueKind.String || regionElement.GetString() is not { Length: > 0 } region)
            {
                return (null, "region is missing or empty");
            }

            if (!CloudRules.Region().IsMatch(region))
            {
                return (null, "region is not an AWS region name");
            }

            if (!root.TryGetProperty("clientAccessToken", out var tokenElement) || tokenElement.ValueKind != JsonValueKind.String || tokenElement.GetString() is not { Length: > 0 } token)
            {
                return (null, "clientAccessToken is missing or empty");
            }

            if (token.Length > MaxTokenLength || token.Any(char.IsControl))
            {
                return (null, "clientAccessToken is not a token");
            }

            return (new TunnelNotification(token, region, names), null);
        }
    }

    public override string ToString() => $"{Region} [{string.Join(',', Services)}]";
}
