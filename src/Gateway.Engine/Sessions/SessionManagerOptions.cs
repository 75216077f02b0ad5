namespace Gateway.Engine.Sessions;

/// <summary>Engine knobs (not per session).</summary>
public sealed class SessionManagerOptions
{
    /// <summary>Minimum time between two counter snapshots of one session (default 250 ms: 4 per second).</summary>
    public TimeSpan CounterInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Timeout of one connect attempt to the service (TCP, proxy, TLS and upgrade).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Finished sessions kept for <c>List</c>/<c>Get</c>; the oldest are forgotten beyond this.</summary>
    public int MaxFinishedSessions { get; set; } = 1000;
}
