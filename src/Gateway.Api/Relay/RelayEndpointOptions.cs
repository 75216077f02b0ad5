namespace Gateway.Api.Relay;

/// <summary>The gateway's settings of the relay's <c>/tunnel</c> endpoint, in section <c>Relay</c> beside the engine's <c>RelayOptions</c>.</summary>
public sealed class RelayEndpointOptions
{
    /// <summary>
    /// Serve <c>/tunnel</c> on plain HTTP listeners too (<c>ws://</c>). Off: tunnel access tokens travel
    /// only over TLS. Turn on behind a reverse proxy that terminates TLS, or for tests on loopback.
    /// Environment: <c>Relay__AllowPlainHttp</c>.
    /// </summary>
    public bool AllowPlainHttp { get; set; }
}
