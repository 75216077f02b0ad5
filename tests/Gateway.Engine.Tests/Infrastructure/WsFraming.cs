using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>RFC 6455 framing pieces shared by the fake service and the test clients.</summary>
public static class WsFraming
{
    /// <summary>Continuation frame opcode.</summary>
    public const byte Continuation = 0x0;

    /// <summary>Text frame opcode.</summary>
    public const byte Text = 0x1;

    /// <summary>Binary frame opcode.</summary>
    public const byte Binary = 0x2;

    /// <summary>Close frame opcode.</summary>
    public const byte Close = 0x8;

    /// <summary>Ping frame opcode.</summary>
    public const byte Ping = 0x9;

    /// <summary>Pong frame opcode.</summary>
    public const byte Pong = 0xA;

    /// <summary>The GUID RFC 6455 appends to Sec-WebSocket-Key.</summary>
    public const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>base64(SHA-1(key + GUID)).</summary>
    public static string ComputeAccept(string secWebSocketKey)
    {
        ArgumentNullException.ThrowIfNull(secWebSocketKey);
        return Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(secWebSocketKey + AcceptGuid)));
    }

    /// <summary>True if the key is base64 of exactly 16 bytes.</summary>
    public static bool IsValidKey(string? secWebSocketKey)
    {
        if (secWebSocketKey is null || secWebSocketKey.Length != 24)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[18];
        return Convert.TryFromBase64String(secWebSocketKey, decoded, out var written) && written == 16;
    }

    /// <summary>
    /// One complete frame: header, optional masking key, (masked) payload.
    /// <paramref name="maskKey"/> null = unmasked (server to client); otherwise 4 bytes.
    /// <paramref name="rsv"/> lets negative tests set RSV bits (0-7).
    /// </summary>
    public static byte[] Frame(byte opcode, ReadOnlySpan<byte> payload, bool fin = true, ReadOnlySpan<byte> maskKey = default, int rsv = 0)
    {
        var masked = !maskKey.IsEmpty;
        if (masked && maskKey.Length != 4)
        {
            throw new ArgumentException("A masking key has 4 bytes.", nameof(maskKey));
        }

        var lengthBytes = payload.Length <= 125 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        var frame = new byte[headerLength + payload.Length];
        frame[0] = (byte)((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0F));
        var maskBit = masked ? 0x80 : 0;
        switch (lengthBytes)
        {
            case 0:
                frame[1] = (byte)(maskBit | payload.Length);
                break;
            case 2:
                frame[1] = (byte)(maskBit | 126);
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = (byte)(maskBit | 127);
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }

        var body = frame.AsSpan(headerLength);
        payload.CopyTo(body);
        if (masked)
        {
            maskKey.CopyTo(frame.AsSpan(2 + lengthBytes));
            ApplyMask(body, maskKey);
        }

        return frame;
    }

    /// <summary>XORs <paramref name="data"/> with the 4-byte key in place (masking and unmasking are the same).</summary>
    public static void ApplyMask(Span<byte> data, ReadOnlySpan<byte> maskKey)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= maskKey[i & 3];
        }
    }

    /// <summary>A close payload: big-endian code followed by the UTF-8 reason.</summary>
    public static byte[] ClosePayload(ushort code, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var payload = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return payload;
    }

    /// <summary>Builds a tunnel frame: 2-byte big-endian length prefix followed by <paramref name="body"/>.</summary>
    public static byte[] TunnelFrame(ReadOnlySpan<byte> body)
    {
        if (body.Length > ushort.MaxValue)
        {
            throw new ArgumentException("A tunnel frame body is at most 65535 bytes.", nameof(body));
        }

        var frame = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)body.Length);
        body.CopyTo(frame.AsSpan(2));
        return frame;
    }
}
