using System.Buffers.Binary;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>One parsed WebSocket frame (payload already unmasked).</summary>
/// <param name="Fin">FIN bit.</param>
/// <param name="Rsv">RSV1-3 as a 3-bit number.</param>
/// <param name="Opcode">Opcode (see <see cref="WsFraming"/>).</param>
/// <param name="Masked">Whether the MASK bit was set.</param>
/// <param name="Payload">Unmasked payload.</param>
public sealed record WsFrame(bool Fin, int Rsv, byte Opcode, bool Masked, byte[] Payload)
{
    /// <summary>
    /// How many bytes the frame at the start of <paramref name="data"/> needs: 2 if the first two bytes are missing,
    /// the header length if the header is incomplete, else header plus payload length.
    /// </summary>
    public static long RequiredLength(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return 2;
        }

        var headerLength = HeaderLength(data);
        if (data.Length < headerLength)
        {
            return headerLength;
        }

        var len7 = data[1] & 0x7F;
        ulong payloadLength = len7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            127 => BinaryPrimitives.ReadUInt64BigEndian(data[2..]),
            _ => (ulong)len7,
        };
        return payloadLength > long.MaxValue / 2 ? long.MaxValue : headerLength + (long)payloadLength;
    }

    /// <summary>Parses the complete frame at the start of <paramref name="data"/>; <paramref name="consumed"/> is its total length.</summary>
    public static WsFrame Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        var total = RequiredLength(data);
        if (data.Length < 2 || data.Length < total)
        {
            throw new ArgumentException("The frame is incomplete.", nameof(data));
        }

        var headerLength = HeaderLength(data);
        var masked = (data[1] & 0x80) != 0;
        var payload = data[headerLength..(int)total].ToArray();
        if (masked)
        {
            WsFraming.ApplyMask(payload, data.Slice(headerLength - 4, 4));
        }

        consumed = (int)total;
        return new WsFrame((data[0] & 0x80) != 0, (data[0] >> 4) & 0x7, (byte)(data[0] & 0x0F), masked, payload);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"opcode={Opcode} fin={Fin} rsv={Rsv} masked={Masked} [{Payload.Length} bytes: {Hex.Preview(Payload)}]";

    private static int HeaderLength(ReadOnlySpan<byte> data)
    {
        var len7 = data[1] & 0x7F;
        var extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        return 2 + extended + ((data[1] & 0x80) != 0 ? 4 : 0);
    }
}
