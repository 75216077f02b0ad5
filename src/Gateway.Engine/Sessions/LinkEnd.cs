namespace Gateway.Engine.Sessions;

internal sealed record LinkEnd(LinkEndKind Kind, string Message, int? CloseCode = null, string? CloseReason = null);
