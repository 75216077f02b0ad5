namespace Gateway.Engine.Sessions;

/// <summary>
/// A point-in-time view of a session, safe to show: it never holds a token. Bytes: <c>BytesToTunnel</c>
/// were read from local connections and sent to the service, <c>BytesFromTunnel</c> came from the
/// service and were written to local connections.
/// </summary>
public sealed record SessionSnapshot
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    /// <summary>The profile the session was started from (<see cref="SessionSpec.ProfileId"/>).</summary>
    public string? ProfileId { get; init; }

    /// <summary>The control-plane tunnel (<see cref="SessionSpec.Tunnel"/>), when known.</summary>
    public SessionTunnel? Tunnel { get; init; }

    public SessionMode Mode { get; init; }

    public required string Endpoint { get; init; }

    public SessionState State { get; init; }

    /// <summary>Why the session is in its state, in words a person can act on.</summary>
    public string? StateReason { get; init; }

    /// <summary>Why a <see cref="SessionState.Failed"/> session failed; <see cref="SessionFailure.None"/> otherwise.</summary>
    public SessionFailure Failure { get; init; }

    public MessageFormat MessageFormat { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ConnectedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Round trip of the last answered ping, in milliseconds.</summary>
    public double? RttMs { get; init; }

    public int Reconnects { get; init; }

    public string? LastError { get; init; }

    /// <summary>The <c>channel-id</c> the service gave the current (or last) connection.</summary>
    public string? ChannelId { get; init; }

    /// <summary>HTTP status of a rejected handshake.</summary>
    public int? HandshakeStatus { get; init; }

    /// <summary>Body of a rejected handshake.</summary>
    public string? HandshakeBody { get; init; }

    public int? CloseCode { get; init; }

    public string? CloseReason { get; init; }

    /// <summary>True while reading the WebSocket is paused because a local connection does not keep up.</summary>
    public bool ReceivePaused { get; init; }

    public long BytesToTunnel { get; init; }

    public long BytesFromTunnel { get; init; }

    public int ActiveConnections { get; init; }

    /// <summary>The caps in force (limits.* and tcp.max_active_connections).</summary>
    public SessionLimits? Limits { get; init; }

    /// <summary>Time the writer waited for <c>limits.session_bytes_per_second_to_tunnel</c>, in milliseconds, since the session started.</summary>
    public double ThrottledToTunnelMs { get; init; }

    /// <summary>Time the dispatcher waited for <c>limits.session_bytes_per_second_from_tunnel</c>, in milliseconds.</summary>
    public double ThrottledFromTunnelMs { get; init; }

    /// <summary>Time local connections waited for <c>limits.connection_bytes_per_second</c>, summed over connections, in milliseconds.</summary>
    public double ThrottledConnectionsMs { get; init; }

    /// <summary>Local connections refused at once because a connection cap was reached (<c>tcp.max_active_connections</c>, <c>limits.max_session_connections</c>).</summary>
    public long ConnectionsRefusedByLimit { get; init; }

    public IReadOnlyList<ServiceSnapshot> Services { get; init; } = [];
}
