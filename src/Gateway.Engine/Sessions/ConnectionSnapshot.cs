namespace Gateway.Engine.Sessions;

/// <summary>
/// One local TCP (or unix socket) connection. <see cref="Key"/> (<c>serviceId.connectionId</c>)
/// names it for a reset. Bytes are counted at the local socket.
/// </summary>
/// <param name="Key">The connection's name, <c>serviceId.connectionId</c>.</param>
/// <param name="ConnectionId">The connection id within its service (V3); 0 in the V1 and V2 formats.</param>
/// <param name="StreamId">The stream the connection belongs to.</param>
/// <param name="LocalPeer">The other side of the local socket: the client (source) or the service (destination); null until connected.</param>
/// <param name="Connecting">True while a destination is still dialling the local service.</param>
/// <param name="BytesFromLocal">Bytes read from the local socket.</param>
/// <param name="BytesToLocal">Bytes written to the local socket.</param>
/// <param name="OpenedAt">When the connection was accepted (source) or started (destination).</param>
public sealed record ConnectionSnapshot(
    string Key,
    uint ConnectionId,
    int StreamId,
    string? LocalPeer,
    bool Connecting,
    long BytesFromLocal,
    long BytesToLocal,
    DateTimeOffset OpenedAt);
