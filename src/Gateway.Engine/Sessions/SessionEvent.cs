namespace Gateway.Engine.Sessions;

/// <summary>A change of one session, with its snapshot after the change.</summary>
/// <param name="Kind">What changed: state, counters, or the session's removal.</param>
/// <param name="Session">The session's snapshot after the change (its last one, for a removal).</param>
public sealed record SessionEvent(SessionEventKind Kind, SessionSnapshot Session);
