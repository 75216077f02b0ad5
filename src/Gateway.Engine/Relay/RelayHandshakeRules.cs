using System.Text.RegularExpressions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Relay;

/// <summary>
/// The request-level rules of the AWS tunnel endpoint (docs/protocol.md sections 2, 3 and 16), checked
/// before any token is looked up. Messages are written for the person reading the proxy's log.
/// </summary>
public static partial class RelayHandshakeRules
{
    /// <summary>The query parameter naming the tunnel end the proxy connects as: <c>source</c> or <c>destination</c>.</summary>
    public const string ModeQueryParameter = "local-proxy-mode";
    /// <summary>The request header carrying the end's access token.</summary>
    public const string AccessTokenHeader = "access-token";
    /// <summary>The optional request header carrying the client token, which lets a proxy reconnect with an access token it already used.</summary>
    public const string ClientTokenHeader = "client-token";
    /// <summary>The cookie that may carry the access token instead of <see cref="AccessTokenHeader"/> (one or the other, once).</summary>
    public const string AccessTokenCookie = "awsiot-tunnel-token";

    /// <summary>The body AWS answers when a used token comes back without its client token.</summary>
    internal const string TokenReusedBody = "Invalid access token: The access token was previously used and can not be used again.";

    /// <summary>Checks everything but the token itself; on success gives the mode and subprotocol.</summary>
    internal static HandshakeCheck Check(RelayUpgradeRequest request, int maxRequestBytes)
    {
        if (request.RequestBytes > maxRequestBytes)
        {
            return HandshakeCheck.Fail(431, $"Upgrade request is {request.RequestBytes} bytes; the limit is {maxRequestBytes} bytes.");
        }

        if (!request.IsWebSocketUpgrade)
        {
            return HandshakeCheck.Fail(400, "Expected a WebSocket upgrade request (GET /tunnel?local-proxy-mode=source|destination with Upgrade: websocket).");
        }

        if (request.ModeValues.Count != 1 || ParseMode(request.ModeValues[0]) is not { } end)
        {
            return HandshakeCheck.Fail(400, $"Query parameter {ModeQueryParameter} must be given once, as 'source' or 'destination'.");
        }

        var subprotocol = Subprotocols.Choose(request.OfferedSubprotocols);
        if (subprotocol is null)
        {
            return HandshakeCheck.Fail(400, $"Sec-WebSocket-Protocol must offer one of {string.Join(", ", Subprotocols.All)}.");
        }

        int tokenCount = request.AccessTokenHeaders.Count + request.AccessTokenCookies.Count;
        if (tokenCount == 0)
        {
            return HandshakeCheck.Fail(401, $"Missing access token: send it in the {AccessTokenHeader} header.");
        }

        if (tokenCount > 1)
        {
            return HandshakeCheck.Fail(400, $"Exactly one access token is allowed: send either one {AccessTokenHeader} header or one {AccessTokenCookie} cookie, not both or several.");
        }

        var accessToken = request.AccessTokenHeaders.Count == 1 ? request.AccessTokenHeaders[0] : request.AccessTokenCookies[0];
        if (string.IsNullOrWhiteSpace(accessToken))
        {
            return HandshakeCheck.Fail(401, "Invalid access token: the access token is empty.");
        }

        string? clientToken = null;
        if (request.ClientTokenHeaders.Count > 1)
        {
            return HandshakeCheck.Fail(400, $"Only one {ClientTokenHeader} header is allowed.");
        }

        if (request.ClientTokenHeaders.Count == 1)
        {
            clientToken = request.ClientTokenHeaders[0];
            if (!ClientTokenPattern().IsMatch(clientToken))
            {
                return HandshakeCheck.Fail(400, "Invalid client token: it must be 32 to 128 characters of letters, digits and '-'.");
            }
        }

        return new HandshakeCheck(0, null, end, subprotocol, accessToken, clientToken);
    }

    /// <summary>The tunnel end a <see cref="ModeQueryParameter"/> value names: exactly <c>source</c> or <c>destination</c> (case-sensitive); null for anything else.</summary>
    /// <param name="value">The query parameter's value.</param>
    public static TunnelEnd? ParseMode(string value) => value switch
    {
        SessionModes.Source => TunnelEnd.Source,
        SessionModes.Destination => TunnelEnd.Destination,
        _ => null,
    };

    /// <summary>The <see cref="ModeQueryParameter"/> value of <paramref name="end"/>: <c>source</c> or <c>destination</c>.</summary>
    /// <param name="end">The tunnel end.</param>
    public static string ModeName(TunnelEnd end) => end == TunnelEnd.Source ? SessionModes.Source : SessionModes.Destination;

    [GeneratedRegex("^[a-zA-Z0-9-]{32,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientTokenPattern();
}
