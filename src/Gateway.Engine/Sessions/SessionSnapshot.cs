using Gateway.Engine.Protocol;

namespace Gateway.Engine.Sessions;

/// <summary>
/// A point-in-time view of a session, safe to show: it never holds a token. Bytes: <c>BytesToTunnel</c>
/// were read from local connections and sent to the service, <c>BytesFromTunnel</c> came from the
/// service and were written to local connections.
/// </summary>
public sealed record SessionSnapshot
{
    /// <summary>The session id: 12 hex characters, or the id it was started with.</summary>
    public required string Id { get; init; }

    /// <summary>The display name from the spec; null when none was given.</summary>
    public string? Name { get; init; }

    /// <summary>The profile the session was started from (<see cref="SessionSpec.ProfileId"/>).</summary>
    public string? ProfileId { get; init; }

    /// <summary>The control-plane tunnel (<see cref="SessionSpec.Tunnel"/>), when known.</summary>
    public SessionTunnel? Tunnel { get; init; }

    /// <summary>Which tunnel end the session is: source or destination.</summary>
    public SessionMode Mode { get; init; }

    /// <summary>The service URL the session connects to, such as <c>wss://data.tunneling.iot.us-east-1.amazonaws.com:443/tunnel</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Where the session is in its life: connecting, connected, reconnecting, or ended.</summary>
    public SessionState State { get; init; }

    /// <summary>Why the session is in its state, in words a person can act on.</summary>
    public string? StateReason { get; init; }

    /// <summary>Why a <see cref="SessionState.Failed"/> session failed; <see cref="SessionFailure.None"/> otherwise.</summary>
    public SessionFailure Failure { get; init; }

    /// <summary>
    /// The message format in use: a source's is its spec's; a destination starts with V3 and falls back to V2
    /// when the peer's frames show it (for the current link; the spec's when there is none).
    /// </summary>
    public MessageFormat MessageFormat { get; init; }

    /// <summary>When the session was started.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the latest WebSocket connection was established (the 101); null if none ever was.</summary>
    public DateTimeOffset? ConnectedAt { get; init; }

    /// <summary>When the session stopped, closed or failed; null while it runs.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Round trip of the last answered ping, in milliseconds.</summary>
    public double? RttMs { get; init; }

    /// <summary>How many times an established connection was lost and the session connected again.</summary>
    public int Reconnects { get; init; }

    /// <summary>The last failed connect attempt or lost connection, in words; null if none happened. Tokens are cut out.</summary>
    public string? LastError { get; init; }

    /// <summary>The <c>channel-id</c> the service gave the current (or last) connection.</summary>
    public string? ChannelId { get; init; }

    /// <summary>HTTP status of a rejected handshake.</summary>
    public int? HandshakeStatus { get; init; }

    /// <summary>Body of a rejected handshake.</summary>
    public string? HandshakeBody { get; init; }

    /// <summary>The WebSocket close code the service ended the tunnel with; null unless the service closed it.</summary>
    public int? CloseCode { get; init; }

    /// <summary>The reason the service sent with its close frame; null or empty when none.</summary>
    public string? CloseReason { get; init; }

    /// <summary>True while reading the WebSocket is paused because a local connection does not keep up.</summary>
    public bool ReceivePaused { get; init; }

    /// <summary>Payload bytes read from local connections and sent to the service, since the session started (all links).</summary>
    public long BytesToTunnel { get; init; }

    /// <summary>Payload bytes received from the service and written to local connections, since the session started (all links).</summary>
    public long BytesFromTunnel { get; init; }

    /// <summary>Local connections open now, over all services.</summary>
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

    /// <summary>The services of the current link with their connections; after a link ends, the last link's services without connections.</summary>
    public IReadOnlyList<ServiceSnapshot> Services { get; init; } = [];
}
