using System.Buffers.Binary;
using System.Text;

namespace Gateway.Engine.Proxy;

/// <summary>
/// Encodes DATA frames around a payload that already sits in the send buffer, so TCP bytes are
/// read straight into their final place. The bytes equal what Google.Protobuf writes for the same
/// message (fields in ascending order, defaults omitted; docs/protocol.md sections 6 and 18):
/// <code>
/// [ws header room][len:2][08 01][10 sid][22 len][payload ...][2a len "svc"][38 cid]
///                  ^ frame start                ^ PayloadOffset
/// </code>
/// </summary>
internal static class DataFrameEncoder
{
    /// <summary>Room before the payload: WebSocket header, length prefix, type, stream id (10-byte varint at most), payload tag and length.</summary>
    public const int PayloadOffset = Transport.TunnelWebSocket.MaxHeaderSize + 2 + 2 + 11 + 4;

    /// <summary>Room needed after the payload for serviceId (tag, length, at most 128 ASCII chars) and connectionId.</summary>
    public const int MaxTrailerSize = 2 + 2 + 128 * 3 + 1 + 5;

    /// <summary>Buffer size for payloads up to <paramref name="maxPayload"/>.</summary>
    public static int BufferSize(int maxPayload) => PayloadOffset + maxPayload + MaxTrailerSize;

    /// <summary>
    /// Writes the frame around <paramref name="payloadLength"/> bytes at <see cref="PayloadOffset"/>.
    /// Returns the frame's offset and length (length prefix included).
    /// </summary>
    public static (int Offset, int Length) Encode(byte[] buffer, int payloadLength, int streamId, byte[]? serviceIdUtf8, uint connectionId)
    {
        // Trailer after the payload.
        int tail = PayloadOffset + payloadLength;
        if (serviceIdUtf8 is { Length: > 0 })
        {
            buffer[tail++] = 0x2A;
            tail += WriteVarint(buffer.AsSpan(tail), (uint)serviceIdUtf8.Length);
            serviceIdUtf8.CopyTo(buffer, tail);
            tail += serviceIdUtf8.Length;
        }

        if (connectionId != 0)
        {
            buffer[tail++] = 0x38;
            tail += WriteVarint(buffer.AsSpan(tail), connectionId);
        }

        // Header before the payload, built forward in a scratch span then copied into place.
        Span<byte> head = stackalloc byte[17];
        int h = 0;
        head[h++] = 0x08;
        head[h++] = 0x01;
        if (streamId != 0)
        {
            head[h++] = 0x10;
            h += WriteVarint(head[h..], (ulong)(long)streamId);
        }

        if (payloadLength > 0)
        {
            head[h++] = 0x22;
            h += WriteVarint(head[h..], (uint)payloadLength);
        }

        int start = PayloadOffset - h - 2;
        head[..h].CopyTo(buffer.AsSpan(start + 2));
        int bodyLength = tail - start - 2;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(start), checked((ushort)bodyLength));
        return (start, tail - start);
    }

    public static byte[]? ServiceIdBytes(string? serviceId) =>
        string.IsNullOrEmpty(serviceId) ? null : Encoding.UTF8.GetBytes(serviceId);

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
