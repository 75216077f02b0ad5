namespace Gateway.Api.Agents;

internal sealed partial class AgentConnection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Agent '{Agent}' connected to {Host}:{Port} and subscribed to {Topic}")]
        public static partial void Connected(ILogger logger, string agent, string host, int port, string topic);

        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Agent '{Agent}' could not connect to {Host}:{Port}: {Reason}; next try in {Seconds:0.0} s")]
        public static partial void ConnectFailed(ILogger logger, string agent, string host, int port, string reason, double seconds);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Agent '{Agent}' lost its broker connection: {Reason}; reconnecting")]
        public static partial void Disconnected(ILogger logger, string agent, string reason);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Agent '{Agent}' ignored an invalid notification on {Topic}: {Problem}")]
        public static partial void InvalidNotification(ILogger logger, string agent, string topic, string problem);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Agent '{Agent}' ignored an exact duplicate of the previous notification")]
        public static partial void Duplicate(ILogger logger, string agent);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Agent '{Agent}' refused a notification for thing {Thing}: {Reason}")]
        public static partial void Refused(ILogger logger, string agent, string thing, string reason);

        [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Agent '{Agent}' received a tunnel notification: {Notification}")]
        public static partial void Received(ILogger logger, string agent, string notification);

        [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Agent '{Agent}' started destination session {SessionId} for {Notification}")]
        public static partial void SessionStarted(ILogger logger, string agent, string sessionId, string notification);

        [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Agent '{Agent}' could not start the destination session of a notification: {Error}")]
        public static partial void StartFailed(ILogger logger, string agent, string error);

        [LoggerMessage(EventId = 4009, Level = LogLevel.Error, Message = "Agent '{Agent}' failed on a notification; it keeps listening")]
        public static partial void NotificationCrashed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Agent '{Agent}' ignored a message on topic {Topic}")]
        public static partial void OtherTopic(ILogger logger, string agent, string topic);
    }
}
