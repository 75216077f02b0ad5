using System.Text.Json;

namespace Gateway.Api.Profiles;

/// <summary>
/// Body of <c>POST /api/profiles</c> (create) and <c>PUT /api/profiles/{id}</c> (replace): a saved
/// session spec. The session fields mean what they mean in <c>POST /api/tunnels</c>; tokens are stored
/// encrypted and never shown again (answers say <c>hasAccessToken</c>/<c>hasClientToken</c>).
/// </summary>
/// <param name="Name">Unique (case-insensitively), 1-200 characters. Required.</param>
/// <param name="Mode">source (src) or destination (dst). Required.</param>
/// <param name="Region">AWS region, e.g. us-east-1. Exactly one of region, endpoint and useBuiltInRelay.</param>
/// <param name="Endpoint">host, host:port, [v6]:port or a wss:// or ws:// URL. Exactly one of region, endpoint and useBuiltInRelay.</param>
/// <param name="UseBuiltInRelay">Connect to this gateway's own relay: at start the endpoint becomes wss://127.0.0.1:&lt;HTTPS port&gt; and, unless caPath is given, the CA directory &lt;data&gt;/tls/ca.</param>
/// <param name="Services">Source: 5555 or SSH1=5555,WEB=8080. Destination: 22, host:22, SSH1=22,WEB=10.0.0.1:80 or SSH1=/run/app.sock.</param>
/// <param name="BindAddress">Source: listen address. Destination: local address outgoing connections bind to.</param>
/// <param name="CaPath">A directory of extra trusted CA certificates on the gateway's host.</param>
/// <param name="SkipTlsVerify">Accept any certificate (development only).</param>
/// <param name="HttpsProxy">[http|https]://[user:pass@]host[:port]. The password is stored encrypted and never shown (answers say <c>hasProxyPassword</c>); on PUT, an address with a user and no password keeps the stored password.</param>
/// <param name="DestinationClientType">V3 (default), V2 or V1.</param>
/// <param name="Settings">The reference's settings JSON (--settings-json format); only the keys given change.</param>
/// <param name="Tags">Labels for filtering: at most 32, each 1-64 characters.</param>
/// <param name="Autostart">Start a session from this profile when the gateway starts.</param>
/// <param name="AccessToken">Optional: a fresh token can be given when starting. On PUT, absent keeps the stored one. Never shown.</param>
/// <param name="ClientToken">Optional, 32-128 of [a-zA-Z0-9-]. On PUT, absent keeps the stored one. Never shown.</param>
/// <param name="ClearAccessToken">PUT only: true removes the stored access token.</param>
/// <param name="ClearClientToken">PUT only: true removes the stored client token.</param>
/// <param name="ClearProxyPassword">PUT only: true removes the stored web proxy password.</param>
public sealed record ProfileBody(
    string? Name,
    string? Mode,
    string? Region,
    string? Endpoint,
    bool? UseBuiltInRelay,
    string? Services,
    string? BindAddress,
    string? CaPath,
    bool? SkipTlsVerify,
    string? HttpsProxy,
    string? DestinationClientType,
    JsonElement? Settings,
    IReadOnlyList<string>? Tags,
    bool? Autostart,
    string? AccessToken,
    string? ClientToken,
    bool? ClearAccessToken = null,
    bool? ClearClientToken = null,
    bool? ClearProxyPassword = null);
