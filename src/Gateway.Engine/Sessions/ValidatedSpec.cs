using Gateway.Engine.Proxy;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Sessions;

/// <summary>A spec that passed validation, with its strings parsed.</summary>
public sealed record ValidatedSpec(
    SessionSpec Spec,
    TunnelEndpoint Endpoint,
    IReadOnlyList<ServiceMapping> Services,
    string ClientToken,
    bool ClientTokenGenerated,
    WebProxyAddress? WebProxy);
