using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.MicroBench;

/// <summary>The frames the benchmarks push around: one V3 stream of service "SSH".</summary>
internal static class BenchFrames
{
    public const int StreamId = 1;
    public const string ServiceId = "SSH";
    public const uint ConnectionId = 1;

    /// <summary>The payload sizes measured: a keystroke-sized one and the protocol's maximum.</summary>
    public const int Small = 64;
    public const int Max = TunnelMessages.MaxPayloadSize;

    public static Message Data(int payloadSize) =>
        TunnelMessages.Data(StreamId, ServiceId, ConnectionId, Payload(payloadSize));

    public static Message StreamStart() => TunnelMessages.StreamStart(StreamId, ServiceId, ConnectionId);

    /// <summary>Non-zero, non-repeating-per-word bytes, so nothing downstream gets a free ride.</summary>
    public static byte[] Payload(int size)
    {
        var payload = new byte[size];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 31 + 7);
        }

        return payload;
    }
}
