using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Relay;

internal sealed partial class RelayPeer
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Relay tunnel {TunnelId} {End} (channel {ChannelId}): protocol violation, closing the connection: {Reason}")]
        public static partial void ProtocolViolation(ILogger logger, string tunnelId, TunnelEnd end, string channelId, string reason);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Relay tunnel {TunnelId} {End} (channel {ChannelId}): connection ended: {Reason}")]
        public static partial void PeerGone(ILogger logger, string tunnelId, TunnelEnd end, string channelId, string reason);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Relay tunnel {TunnelId} {End} (channel {ChannelId}): peer sent close {Status} '{Description}'")]
        public static partial void PeerClosed(ILogger logger, string tunnelId, TunnelEnd end, string channelId, int? status, string? description);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "Relay tunnel {TunnelId} {End} (channel {ChannelId}): close handshake timed out; connection aborted")]
        public static partial void CloseTimedOut(ILogger logger, string tunnelId, TunnelEnd end, string channelId);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Relay tunnel {TunnelId}: {End} opened stream {StreamId} of service '{ServiceId}' while the other end is not connected; answered STREAM_RESET")]
        public static partial void NoPeerForStream(ILogger logger, string tunnelId, TunnelEnd end, int streamId, string serviceId);
    }
}
