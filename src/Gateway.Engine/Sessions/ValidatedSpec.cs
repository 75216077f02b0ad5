using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Sessions;

/// <summary>A spec that passed validation, with its strings parsed.</summary>
/// <param name="Spec">The spec as given.</param>
/// <param name="Endpoint">The service URL parsed from the region or endpoint.</param>
/// <param name="Services">The service map parsed, in map order; empty when the ids come from a resolver.</param>
/// <param name="ClientToken">The client token sent with every connect: the spec's, or a generated one.</param>
/// <param name="ClientTokenGenerated">True when the spec had no client token and <see cref="ClientToken"/> was generated.</param>
/// <param name="WebProxy">The web proxy to CONNECT through, from the spec or <c>https_proxy</c>; null for a direct connection.</param>
public sealed record ValidatedSpec(
    SessionSpec Spec,
    TunnelEndpoint Endpoint,
    IReadOnlyList<ServiceMapping> Services,
    string ClientToken,
    bool ClientTokenGenerated,
    WebProxyAddress? WebProxy)
{
    /// <summary>What a connect attempt with this spec sends (its access token as of now).</summary>
    internal ConnectRequest ToConnectRequest() =>
        new(Endpoint, WebProxy, Spec.Settings, Spec.Mode, Spec.AccessToken, ClientToken, Spec.SkipTlsVerify);
}
