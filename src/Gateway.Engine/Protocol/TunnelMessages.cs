using Google.Protobuf;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.Engine.Protocol;

/// <summary>Builders for the messages of docs/protocol.md section 7. Defaults (0, "") stay off the wire.</summary>
internal static class TunnelMessages
{
    /// <summary>Largest DATA payload both peers accept (<c>message.max_payload_size</c>).</summary>
    public const int MaxPayloadSize = 64512;

    public static Message ServiceIds(IEnumerable<string> serviceIds)
    {
        var message = new Message { Type = Message.Types.Type.ServiceIds };
        message.AvailableServiceIds.AddRange(serviceIds);
        return message;
    }

    public static Message StreamStart(int streamId, string? serviceId, uint connectionId) =>
        Stream(Message.Types.Type.StreamStart, streamId, serviceId, connectionId);

    public static Message StreamReset(int streamId, string? serviceId, uint connectionId = 0) =>
        Stream(Message.Types.Type.StreamReset, streamId, serviceId, connectionId);

    public static Message ConnectionStart(int streamId, string? serviceId, uint connectionId) =>
        Stream(Message.Types.Type.ConnectionStart, streamId, serviceId, connectionId);

    public static Message ConnectionReset(int streamId, string? serviceId, uint connectionId) =>
        Stream(Message.Types.Type.ConnectionReset, streamId, serviceId, connectionId);

    public static Message SessionReset() => new() { Type = Message.Types.Type.SessionReset };

    public static Message Data(int streamId, string? serviceId, uint connectionId, ReadOnlySpan<byte> payload)
    {
        var message = Stream(Message.Types.Type.Data, streamId, serviceId, connectionId);
        message.Payload = ByteString.CopyFrom(payload);
        return message;
    }

    private static Message Stream(Message.Types.Type type, int streamId, string? serviceId, uint connectionId) => new()
    {
        Type = type,
        StreamId = streamId,
        ServiceId = serviceId ?? string.Empty,
        ConnectionId = connectionId,
    };
}
