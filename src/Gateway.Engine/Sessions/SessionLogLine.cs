namespace Gateway.Engine.Sessions;

/// <summary>One line of a session's recent log.</summary>
/// <param name="At">When the line was written.</param>
/// <param name="Level">The log level's name: <c>Information</c>, <c>Warning</c> or <c>Error</c>.</param>
/// <param name="Message">The line, escaped and capped, tokens cut out.</param>
public sealed record SessionLogLine(DateTimeOffset At, string Level, string Message);
