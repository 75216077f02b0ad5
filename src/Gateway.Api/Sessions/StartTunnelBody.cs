using System.Text.Json;

namespace Gateway.Api.Sessions;

/// <summary>
/// Body of <c>POST /api/tunnels</c>: one tunnel end to run. <c>settings</c> takes the reference's
/// settings JSON (the <c>--settings-json</c> format, e.g.
/// <c>{"tunneling":{"proxy":{"websocket":{"ping_period_ms":"5000"}}}}</c>); only the keys given change.
/// </summary>
/// <param name="Name">Free text shown in listings.</param>
/// <param name="Mode">source (src) or destination (dst). Required.</param>
/// <param name="Region">AWS region, e.g. us-east-1: the service is data.tunneling.iot.REGION.amazonaws.com. Exactly one of region and endpoint.</param>
/// <param name="Endpoint">host, host:port, [v6]:port (port 443, TLS) or a wss:// or ws:// URL, e.g. the built-in relay wss://127.0.0.1:5443. Exactly one of region and endpoint.</param>
/// <param name="AccessToken">The tunnel end's access token (required, at most 4096 characters). Never echoed.</param>
/// <param name="ClientToken">32-128 of [a-zA-Z0-9-]; generated when absent, so that the service accepts reconnects.</param>
/// <param name="Services">Source: 5555 or SSH1=5555,WEB=8080 (listen ports). Destination: 22, host:22, [::1]:22, SSH1=22,WEB=10.0.0.1:80 or SSH1=/run/app.sock.</param>
/// <param name="BindAddress">Source: listen address (default localhost). Destination: local address outgoing connections bind to.</param>
/// <param name="CaPath">A directory of extra trusted CA certificates (PEM or DER); the gateway's own CA is in data/tls/ca.</param>
/// <param name="SkipTlsVerify">Accept any certificate (development only).</param>
/// <param name="HttpsProxy">[http|https]://[user:pass@]host[:port]; when absent, https_proxy or HTTPS_PROXY from the environment.</param>
/// <param name="DestinationClientType">V3 (default), V2 or V1: the message format a source emits for older peers.</param>
/// <param name="Settings">The reference's settings JSON (--settings-json format); only the keys given change.</param>
/// <param name="ProfileId">Start a saved profile instead of an inline spec; only name, accessToken, clientToken, services and bindAddress may then be given, as overrides (e.g. a fresh access token).</param>
/// <param name="Open">Open a tunnel on a cloud (see /api/clouds) and run its source end here: services then gives a local port per tunnel service; region, endpoint and accessToken come from the cloud.</param>
/// <param name="Destination">With open: also run the destination end here, e.g. {"services":"SSH=10.0.0.5:22"}.</param>
public sealed record StartTunnelBody(
    string? Name,
    string? Mode,
    string? Region,
    string? Endpoint,
    string? AccessToken,
    string? ClientToken,
    string? Services,
    string? BindAddress,
    string? CaPath,
    bool? SkipTlsVerify,
    string? HttpsProxy,
    string? DestinationClientType,
    JsonElement? Settings,
    string? ProfileId = null,
    Clouds.OpenTunnelBody? Open = null,
    Clouds.DestinationEndBody? Destination = null);
