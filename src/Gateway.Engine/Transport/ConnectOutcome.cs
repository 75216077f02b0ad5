namespace Gateway.Engine.Transport;

/// <summary>Either an open <see cref="TunnelWebSocket"/> or the reason there is none.</summary>
internal readonly record struct ConnectOutcome(TunnelWebSocket? Socket, ConnectFailure? Failure)
{
    public static ConnectOutcome Fail(ConnectFailureKind kind, string message, int? status = null, string? body = null, string? channelId = null) =>
        new(null, new ConnectFailure(kind, message, status, body, channelId));
}
