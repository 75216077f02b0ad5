using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Engine.Transport;

internal sealed partial class TunnelWebSocket
{
    private readonly byte[] _maskKeys = new byte[256];
    private int _maskKeyOffset = 256;

    /// <summary>
    /// Sends one unfragmented, masked frame whose payload sits at
    /// <paramref name="buffer"/>[<paramref name="payloadOffset"/>..]; the header is written into the
    /// <see cref="MaxHeaderSize"/> bytes before it and the payload is masked in place, so the frame
    /// leaves in one write. Single caller at a time.
    /// </summary>
    public ValueTask SendAsync(WebSocketOpcode opcode, byte[] buffer, int payloadOffset, int payloadLength, CancellationToken cancellationToken)
    {
        if (payloadOffset < MaxHeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadOffset), $"leave {MaxHeaderSize} bytes for the header");
        }

        int headerLength = payloadLength < 126 ? 6 : payloadLength <= ushort.MaxValue ? 8 : 14;
        int start = payloadOffset - headerLength;
        var header = buffer.AsSpan(start, headerLength);
        header[0] = (byte)(0x80 | (byte)opcode);
        int keyOffset;
        if (payloadLength < 126)
        {
            header[1] = (byte)(0x80 | payloadLength);
            keyOffset = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            header[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payloadLength);
            keyOffset = 4;
        }
        else
        {
            header[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payloadLength);
            keyOffset = 10;
        }

        uint key = NextMaskKey();
        BinaryPrimitives.WriteUInt32BigEndian(header[keyOffset..], key);
        WebSocketMask.Apply(buffer.AsSpan(payloadOffset, payloadLength), key);
        return _stream.WriteAsync(buffer.AsMemory(start, headerLength + payloadLength), cancellationToken);
    }

    /// <summary>
    /// Pushes out what <see cref="SendAsync"/> left gathered below TLS (see <see cref="CoalescingStream"/>).
    /// The writer calls it whenever its queue runs empty.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken) => _stream.FlushAsync(cancellationToken);

    /// <summary>Sends a control frame (ping, pong, close) at once; payload at most 125 bytes.</summary>
    public async ValueTask SendControlAsync(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeaderSize + Math.Min(payload.Length, 125)];
        payload.Span[..(buffer.Length - MaxHeaderSize)].CopyTo(buffer.AsSpan(MaxHeaderSize));
        await SendAsync(opcode, buffer, MaxHeaderSize, buffer.Length - MaxHeaderSize, cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds a close payload: 2-byte code then the UTF-8 reason, cut to fit 125 bytes.</summary>
    public static byte[] ClosePayload(int code, string? reason)
    {
        var bytes = Encoding.UTF8.GetBytes(reason ?? string.Empty);
        var payload = new byte[2 + Math.Min(bytes.Length, 123)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        bytes.AsSpan(0, payload.Length - 2).CopyTo(payload.AsSpan(2));
        return payload;
    }

    // Keys come from the OS CSPRNG (RFC 6455 section 5.3), fetched 64 keys at a time.
    private uint NextMaskKey()
    {
        if (_maskKeyOffset >= _maskKeys.Length)
        {
            RandomNumberGenerator.Fill(_maskKeys);
            _maskKeyOffset = 0;
        }

        uint key = BinaryPrimitives.ReadUInt32BigEndian(_maskKeys.AsSpan(_maskKeyOffset));
        _maskKeyOffset += 4;
        return key;
    }
}
