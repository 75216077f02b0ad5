namespace Gateway.Engine.Settings;

/// <summary>One entry of a service map. <see cref="ServiceId"/> is null for the unnamed V1-style entry (<c>-s 5555</c>).</summary>
/// <param name="ServiceId">The service id the entry maps, such as <c>SSH</c>; null for the unnamed entry.</param>
/// <param name="Endpoint">The local listen port (source) or service address (destination).</param>
public sealed record ServiceMapping(string? ServiceId, ServiceEndpoint Endpoint);
