namespace Gateway.Engine.Sessions;

/// <summary>What a <see cref="SessionEvent"/> from <see cref="SessionManager.Changed"/> reports.</summary>
public enum SessionEventKind
{
    /// <summary>State, services or connections changed; published at once.</summary>
    Changed,

    /// <summary>Byte counters or RTT moved; published at most <see cref="SessionManagerOptions.CounterInterval"/> apart.</summary>
    Counters,

    /// <summary>The session was removed from the manager.</summary>
    Removed,
}
