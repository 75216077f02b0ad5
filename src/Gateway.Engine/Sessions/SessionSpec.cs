using Gateway.Engine.Protocol;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Everything needed to run one tunnel end. Immutable; <see cref="SessionSpecValidator"/> checks it
/// and reports every error at once, each naming its field (the property name in camelCase).
/// </summary>
public sealed record SessionSpec
{
    /// <summary>Optional display name.</summary>
    public string? Name { get; init; }

    /// <summary>The saved profile the session was started from, if any; opaque to the engine, shown in snapshots.</summary>
    public string? ProfileId { get; init; }

    /// <summary>The control-plane tunnel this end belongs to, when the caller knows it; opaque to the engine, shown in snapshots.</summary>
    public SessionTunnel? Tunnel { get; init; }

    /// <summary>Which tunnel end to run: a source listens on local ports, a destination connects to local services. Source unless set.</summary>
    public SessionMode Mode { get; init; }

    /// <summary>AWS region; exactly one of <see cref="Region"/> and <see cref="Endpoint"/>.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// <c>host</c>, <c>host:port</c>, <c>[v6]:port</c>, or a full <c>wss://</c> (or <c>ws://</c>) URL,
    /// as used for the built-in relay.
    /// </summary>
    public string? Endpoint { get; init; }

    /// <summary>The end's access token, required (at most 4096 characters). A secret: never shown in snapshots or logs.</summary>
    public string AccessToken { get; init; } = string.Empty;

    /// <summary>32-128 characters of <c>[a-zA-Z0-9-]</c>; generated when absent so reconnects are accepted.</summary>
    public string? ClientToken { get; init; }

    /// <summary>
    /// Source: <c>5555</c> or <c>SSH1=5555,WEB=8080</c>. Destination: <c>22</c>, <c>host:22</c>,
    /// <c>[::1]:22</c>, <c>SSH1=22,WEB=10.0.0.1:80</c>, <c>SSH1=/run/app.sock</c>. May be empty when
    /// the ids come from a config directory.
    /// </summary>
    public string? Services { get; init; }

    /// <summary>Source: listen address (default <c>default_bind_address</c>). Destination: local address outgoing connections bind to.</summary>
    public string? BindAddress { get; init; }

    /// <summary>Directory of extra trusted CA certificates (PEM/DER files, hashed names allowed).</summary>
    public string? CaPath { get; init; }

    /// <summary>Skip TLS certificate and host-name verification (development only).</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary><c>[http|https]://[user:pass@]host[:port]</c>; when null, <c>https_proxy</c>/<c>HTTPS_PROXY</c> apply.</summary>
    public string? HttpsProxy { get; init; }

    /// <summary>Message format a source emits (<c>-y</c>); V3 by default.</summary>
    public MessageFormat MessageFormat { get; init; } = MessageFormat.V3;

    /// <summary>The fine-grained settings (the reference's settings and our <c>limits.*</c>); <see cref="ProxySettings.Default"/> unless set.</summary>
    public ProxySettings Settings { get; init; } = ProxySettings.Default;
}
