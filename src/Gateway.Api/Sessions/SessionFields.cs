using System.Text.Json;

namespace Gateway.Api.Sessions;

/// <summary>
/// The fields that describe one tunnel end, defined once for every body that carries one:
/// <c>POST /api/tunnels</c> (<see cref="StartTunnelBody"/>), a profile (<c>ProfileBody</c>) and a
/// profile in an export document (<c>ProfileExportItem</c>). They mean the same everywhere, are
/// checked by the same rules (<see cref="StartTunnelSpecs"/>, which turns them into the engine's
/// <c>SessionSpec</c>) and their errors are named by these names. Tokens are not among them: each
/// body says which tokens it takes.
/// </summary>
public record SessionFields
{
    /// <summary>Free text shown in listings (a profile's name is unique, 1-200 characters, and required).</summary>
    public string? Name { get; init; }

    /// <summary>source (src) or destination (dst). Required.</summary>
    public string? Mode { get; init; }

    /// <summary>AWS region, e.g. us-east-1: the service is data.tunneling.iot.REGION.amazonaws.com. Exactly one of region and endpoint (for a profile: of region, endpoint and useBuiltInRelay).</summary>
    public string? Region { get; init; }

    /// <summary>host, host:port, [v6]:port (port 443, TLS) or a wss:// or ws:// URL, e.g. the built-in relay wss://127.0.0.1:5443. Exactly one of region and endpoint (for a profile: of region, endpoint and useBuiltInRelay).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Source: 5555 or SSH1=5555,WEB=8080 (listen ports). Destination: 22, host:22, [::1]:22, SSH1=22,WEB=10.0.0.1:80 or SSH1=/run/app.sock.</summary>
    public string? Services { get; init; }

    /// <summary>Source: listen address (default localhost). Destination: local address outgoing connections bind to.</summary>
    public string? BindAddress { get; init; }

    /// <summary>A directory of extra trusted CA certificates (PEM or DER) on the gateway's host; the gateway's own CA is in data/tls/ca.</summary>
    public string? CaPath { get; init; }

    /// <summary>Accept any certificate (development only).</summary>
    public bool? SkipTlsVerify { get; init; }

    /// <summary>[http|https]://[user:pass@]host[:port]; when absent, https_proxy or HTTPS_PROXY from the environment. A profile stores the password encrypted and never shows it (answers say <c>hasProxyPassword</c>); on PUT, an address with a user and no password keeps the stored password.</summary>
    public string? HttpsProxy { get; init; }

    /// <summary>V3 (default), V2 or V1: the message format a source emits for older peers.</summary>
    public string? DestinationClientType { get; init; }

    /// <summary>The reference's settings JSON (--settings-json format, e.g. {"tunneling":{"proxy":{"websocket":{"ping_period_ms":"5000"}}}}); only the keys given change.</summary>
    public JsonElement? Settings { get; init; }
}
