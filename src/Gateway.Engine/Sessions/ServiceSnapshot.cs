namespace Gateway.Engine.Sessions;

/// <summary>One service of a session: its listener (source) or endpoint (destination), current stream and connections.</summary>
/// <param name="ServiceId">The service id; null for the unnamed service of a V1 tunnel.</param>
/// <param name="Endpoint">Source: the address listened on. Destination: the local service's address or socket path.</param>
/// <param name="ListenPort">Source: the port listened on (the real one when 0 was asked); null for a destination or before listening.</param>
/// <param name="StreamId">The service's current stream id; 0 when no stream is live.</param>
/// <param name="Connections">The local connections open now, by connection id.</param>
public sealed record ServiceSnapshot(
    string? ServiceId,
    string Endpoint,
    int? ListenPort,
    int StreamId,
    IReadOnlyList<ConnectionSnapshot> Connections);
