namespace Gateway.Engine.Sessions;

/// <summary>A change of one session, with its snapshot after the change.</summary>
public sealed record SessionEvent(SessionEventKind Kind, SessionSnapshot Session);
