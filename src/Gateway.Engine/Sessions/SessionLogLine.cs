namespace Gateway.Engine.Sessions;

/// <summary>One line of a session's recent log.</summary>
public sealed record SessionLogLine(DateTimeOffset At, string Level, string Message);
