namespace Gateway.Engine.Proxy;

/// <summary>One entry of a service map. <see cref="ServiceId"/> is null for the unnamed V1-style entry (<c>-s 5555</c>).</summary>
public sealed record ServiceMapping(string? ServiceId, ServiceEndpoint Endpoint);
