using System.Text.Json;

namespace Gateway.Api.Sessions;

/// <summary>
/// Body of <c>POST /api/tunnels</c>: one tunnel end to run. <c>settings</c> takes the reference's
/// settings JSON (the <c>--settings-json</c> format, e.g.
/// <c>{"tunneling":{"proxy":{"websocket":{"ping_period_ms":"5000"}}}}</c>); only the keys given change.
/// </summary>
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
    JsonElement? Settings);
