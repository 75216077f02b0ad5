namespace Gateway.Engine.Sessions;

public enum SessionEventKind
{
    /// <summary>State, services or connections changed; published at once.</summary>
    Changed,

    /// <summary>Byte counters or RTT moved; published at most <see cref="SessionManagerOptions.CounterInterval"/> apart.</summary>
    Counters,

    /// <summary>The session was removed from the manager.</summary>
    Removed,
}
