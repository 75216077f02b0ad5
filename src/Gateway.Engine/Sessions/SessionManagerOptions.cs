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

    /// <summary>
    /// Whether a session logs its end ("ended: Failed (why)", at error level for a failure). A host that
    /// reports the end itself (the CLI's last line before it exits) turns it off, so the reason is said once.
    /// </summary>
    public bool LogEnd { get; set; } = true;
}
