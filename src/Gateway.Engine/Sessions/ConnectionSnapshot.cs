namespace Gateway.Engine.Sessions;

/// <summary>
/// One local TCP (or unix socket) connection. <see cref="Key"/> (<c>serviceId.connectionId</c>)
/// names it for a reset. Bytes are counted at the local socket.
/// </summary>
public sealed record ConnectionSnapshot(
    string Key,
    uint ConnectionId,
    int StreamId,
    string? LocalPeer,
    bool Connecting,
    long BytesFromLocal,
    long BytesToLocal,
    DateTimeOffset OpenedAt);
