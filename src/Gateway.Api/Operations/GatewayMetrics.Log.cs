namespace Gateway.Api.Operations;

internal sealed partial class GatewayMetrics
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Metrics: the event of session {SessionId} could not be counted")]
        public static partial void AccountingFailed(ILogger logger, string sessionId, Exception exception);
    }
}
