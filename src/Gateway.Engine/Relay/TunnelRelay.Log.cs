using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Relay;

public sealed partial class TunnelRelay
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Relay tunnel {TunnelId} opened with services [{Services}], expires {ExpiresAt:O}")]
        public static partial void TunnelCreated(ILogger logger, string tunnelId, string services, DateTimeOffset expiresAt);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Relay handshake from {Remote} rejected with {Status} (channel {ChannelId}): {Reason}")]
        public static partial void HandshakeRejected(ILogger logger, string? remote, int status, string channelId, string reason);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Relay tunnel {TunnelId} {End} connected from {Remote} (channel {ChannelId}, {Subprotocol}, {How})")]
        public static partial void PeerConnected(ILogger logger, string tunnelId, TunnelEnd end, string? remote, string channelId, string subprotocol, string how);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Relay tunnel {TunnelId} {End} disconnected (channel {ChannelId})")]
        public static partial void PeerDisconnected(ILogger logger, string tunnelId, TunnelEnd end, string channelId);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Relay tunnel {TunnelId} {State}: {Reason}")]
        public static partial void TunnelEnded(ILogger logger, string tunnelId, RelayTunnelState state, string reason);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Relay tunnel {TunnelId}: the tunnel store failed")]
        public static partial void StoreFailed(ILogger logger, string tunnelId, Exception exception);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Relay loaded {Open} open tunnel(s) of {Total} from the store")]
        public static partial void Loaded(ILogger logger, int open, int total);

        [LoggerMessage(EventId = 1150, Level = LogLevel.Information, Message = "Relay: {Count} more rejected handshake(s) from {Remote} within {Window} were not logged")]
        public static partial void HandshakeRejectionsSuppressed(ILogger logger, int count, string remote, TimeSpan window);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "Relay tunnel {TunnelId} {End} (channel {ChannelId}): connection failed unexpectedly")]
        public static partial void PeerFailed(ILogger logger, string tunnelId, TunnelEnd end, string channelId, Exception exception);

        [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Relay tunnel {TunnelId}: access tokens rotated ({Rotation}), {Closed} connection(s) using the old token closed")]
        public static partial void TokensRotated(ILogger logger, string tunnelId, TokenRotation rotation, int closed);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Relay tunnel {TunnelId} deleted")]
        public static partial void TunnelDeleted(ILogger logger, string tunnelId);
    }
}
