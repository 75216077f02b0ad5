namespace Gateway.Engine.Transport;

/// <summary>How a receive loop ended, with the close code and reason when the service sent them.</summary>
internal readonly record struct ReceiveEnd(ReceiveEndKind Kind, string Message, int? CloseCode = null, string? CloseReason = null);
