using Gateway.Engine.Logging;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Engine.Relay;

/// <summary>
/// What the service enforces on frames sent by a proxy (docs/protocol.md section 16 item 7 and the
/// validity rules of section 7). A violation closes the offender's socket.
/// </summary>
internal static class RelayFrameRules
{
    // A refusal names the peer's service id, escaped: it is logged and sent back as a close reason.
    private const int MaxServiceIdInReason = 64;

    /// <summary>Returns null when <paramref name="message"/> may be relayed, else why not.</summary>
    public static string? Check(Message message, TunnelEnd from, RelayTunnel tunnel, ref ServiceIdUsage usage)
    {
        if (message.HasUnknownFields)
        {
            return $"{Name(message.Type)} carries protobuf fields the protocol does not define";
        }

        switch (message.Type)
        {
            case MessageType.ServiceIds:
            case MessageType.SessionReset:
                return $"clients must not send {Name(message.Type)}";
            case MessageType.StreamStart or MessageType.ConnectionStart when from == TunnelEnd.Destination:
                return $"the destination must not send {Name(message.Type)}";
        }

        if (!IsStreamBound(message.Type))
        {
            return null;
        }

        if (message.StreamId == 0)
        {
            return $"{Name(message.Type)} has streamId 0";
        }

        if (message.Payload.Length > TunnelMessages.MaxPayloadSize)
        {
            return $"{Name(message.Type)} payload of {message.Payload.Length} bytes exceeds {TunnelMessages.MaxPayloadSize}";
        }

        bool hasServiceId = message.ServiceId.Length > 0;
        if (hasServiceId && !tunnel.HasService(message.ServiceId))
        {
            return $"serviceId '{LogText.Escape(message.ServiceId, MaxServiceIdInReason)}' is not a service of this tunnel";
        }

        var seen = hasServiceId ? ServiceIdUsage.Present : ServiceIdUsage.Absent;
        if (usage == ServiceIdUsage.Unknown)
        {
            usage = seen;
        }
        else if (usage != seen)
        {
            return "serviceId must be sent always or never on one connection";
        }

        return null;
    }

    /// <summary>
    /// <see cref="Check"/> for a DATA frame read in place: the same rules (a DATA frame read this
    /// way has no unknown fields), without allocating unless it is refused.
    /// </summary>
    public static string? CheckData(in DataFrame frame, RelayTunnel tunnel, ref ServiceIdUsage usage)
    {
        if (frame.StreamId == 0)
        {
            return "DATA has streamId 0";
        }

        if (frame.Payload.Length > TunnelMessages.MaxPayloadSize)
        {
            return $"DATA payload of {frame.Payload.Length} bytes exceeds {TunnelMessages.MaxPayloadSize}";
        }

        bool hasServiceId = !frame.ServiceIdUtf8.IsEmpty;
        if (hasServiceId && !tunnel.HasService(frame))
        {
            return $"serviceId '{LogText.Escape(System.Text.EncodingExtensions.GetString(System.Text.Encoding.UTF8, frame.ServiceIdUtf8), MaxServiceIdInReason)}' is not a service of this tunnel";
        }

        var seen = hasServiceId ? ServiceIdUsage.Present : ServiceIdUsage.Absent;
        if (usage == ServiceIdUsage.Unknown)
        {
            usage = seen;
        }
        else if (usage != seen)
        {
            return "serviceId must be sent always or never on one connection";
        }

        return null;
    }

    public static bool IsStreamBound(MessageType type) => type is MessageType.Data or MessageType.StreamStart
        or MessageType.StreamReset or MessageType.ConnectionStart or MessageType.ConnectionReset;

    public static string Name(MessageType type) => type switch
    {
        MessageType.Data => "DATA",
        MessageType.StreamStart => "STREAM_START",
        MessageType.StreamReset => "STREAM_RESET",
        MessageType.SessionReset => "SESSION_RESET",
        MessageType.ServiceIds => "SERVICE_IDS",
        MessageType.ConnectionStart => "CONNECTION_START",
        MessageType.ConnectionReset => "CONNECTION_RESET",
        _ => $"type {(int)type}",
    };
}
