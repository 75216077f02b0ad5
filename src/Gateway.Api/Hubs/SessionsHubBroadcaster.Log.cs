namespace Gateway.Api.Hubs;

internal sealed partial class SessionsHubBroadcaster
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "Live updates fell behind ({Capacity} queued): a dashboard client is slow or the gateway is very busy; sessions are sent as catch-up snapshots until the queue drains")]
        public static partial void FellBehind(ILogger logger, int capacity);

        [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Live updates caught up")]
        public static partial void CaughtUp(ILogger logger);

        [LoggerMessage(EventId = 3402, Level = LogLevel.Debug, Message = "Dropped {Count} session log line(s) for live views: the update queue was full (GET /api/tunnels/{{id}}/logs still has them)")]
        public static partial void LogLinesDropped(ILogger logger, long count);

        [LoggerMessage(EventId = 3403, Level = LogLevel.Warning, Message = "Sending {Method} to dashboard clients failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string method, string error);

        [LoggerMessage(EventId = 3404, Level = LogLevel.Error, Message = "A session event could not be queued for live updates")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}
