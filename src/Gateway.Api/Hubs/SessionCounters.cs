using Gateway.Engine.Sessions;

namespace Gateway.Api.Hubs;

/// <summary>
/// One session's counters in a <c>sessionCounters</c> batch: the latest values when the batch was
/// flushed (coalesced, at most one batch per 250 ms).
/// </summary>
/// <param name="Id">The session's id.</param>
/// <param name="State">Its state when the counters were read.</param>
/// <param name="BytesToTunnel">Bytes read from local connections and sent to the service.</param>
/// <param name="BytesFromTunnel">Bytes from the service written to local connections.</param>
/// <param name="ActiveConnections">Open local connections.</param>
/// <param name="RttMs">Round trip of the last answered ping, in milliseconds.</param>
/// <param name="ReceivePaused">True while reading the WebSocket is paused for a slow local connection.</param>
/// <param name="Reconnects">Reconnects so far.</param>
/// <param name="At">When the gateway read these values.</param>
public sealed record SessionCounters(
    string Id,
    SessionState State,
    long BytesToTunnel,
    long BytesFromTunnel,
    int ActiveConnections,
    double? RttMs,
    bool ReceivePaused,
    int Reconnects,
    DateTimeOffset At)
{
    public static SessionCounters From(SessionSnapshot session, DateTimeOffset at) => new(
        session.Id,
        session.State,
        session.BytesToTunnel,
        session.BytesFromTunnel,
        session.ActiveConnections,
        session.RttMs,
        session.ReceivePaused,
        session.Reconnects,
        at);

    /// <summary>Same values, whenever they were read.</summary>
    public bool SameValues(SessionCounters other) => this with { At = other.At } == other;
}
