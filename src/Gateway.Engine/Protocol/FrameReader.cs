using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.Engine.Protocol;

/// <summary>
/// Reads tunnel frames out of the byte stream carried by binary WebSocket messages.
/// </summary>
/// <remarks>
/// <code>
/// +----------------------+--------------------------------------+
/// | length: uint16, BE   | protobuf-encoded Message (length B)  |
/// +----------------------+--------------------------------------+
/// </code>
/// The stream is continuous: a WebSocket message may hold several frames or a fraction of one,
/// so callers keep unconsumed bytes and call again when more arrive (docs/protocol.md section 5).
/// The reader is pure and synchronous; it never allocates for a partial frame.
/// </remarks>
internal static partial class FrameReader
{
    /// <summary>Size of the big-endian length prefix (<c>message.data_length_size</c>).</summary>
    public const int LengthPrefixSize = 2;

    /// <summary>The largest frame body a 2-byte prefix can announce.</summary>
    public const int MaxFrameBodyLength = ushort.MaxValue;

    /// <summary>
    /// Tries to take one frame from the front of <paramref name="buffer"/>. On
    /// <see cref="FrameReadStatus.Message"/> the frame is sliced off the buffer; otherwise the buffer
    /// is left as it was. An over-long length is reported as soon as the prefix is readable,
    /// before the body arrives.
    /// </summary>
    public static FrameReadStatus TryRead(
        ref ReadOnlySequence<byte> buffer,
        out Message? message,
        out FrameError error,
        int maxBodyLength = MaxFrameBodyLength)
    {
        message = null;
        error = default;
        if (buffer.Length < LengthPrefixSize)
        {
            return FrameReadStatus.NeedMoreData;
        }

        int length = ReadLength(buffer);
        if (length == 0)
        {
            error = new FrameError(FrameErrorKind.ZeroLength, "frame length prefix is 0; every frame carries at least a type");
            return FrameReadStatus.Error;
        }

        if (length > maxBodyLength)
        {
            error = new FrameError(FrameErrorKind.TooLong, $"frame length {length} exceeds the limit of {maxBodyLength} bytes");
            return FrameReadStatus.Error;
        }

        if (buffer.Length < LengthPrefixSize + length)
        {
            return FrameReadStatus.NeedMoreData;
        }

        var body = buffer.Slice(LengthPrefixSize, length);
        Message parsed;
        try
        {
            parsed = Message.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            error = new FrameError(FrameErrorKind.Malformed, $"frame of {length} bytes is not a valid protobuf Message: {ex.Message}");
            return FrameReadStatus.Error;
        }

        if (parsed.Type == Message.Types.Type.Unknown)
        {
            error = new FrameError(FrameErrorKind.MissingType, $"frame of {length} bytes has no type (0/UNKNOWN)");
            return FrameReadStatus.Error;
        }

        message = parsed;
        buffer = buffer.Slice(LengthPrefixSize + length);
        return FrameReadStatus.Message;
    }

    /// <summary>
    /// Checks what is left when the stream has ended: any byte left over is a truncated frame.
    /// </summary>
    public static bool TryCheckEndOfStream(in ReadOnlySequence<byte> remaining, out FrameError error)
    {
        if (remaining.IsEmpty)
        {
            error = default;
            return true;
        }

        string detail = remaining.Length < LengthPrefixSize
            ? $"stream ended with {remaining.Length} byte(s) of a length prefix"
            : $"stream ended inside a frame: {remaining.Length - LengthPrefixSize} of {ReadLength(remaining)} body bytes present";
        error = new FrameError(FrameErrorKind.TrailingBytes, detail);
        return false;
    }

    /// <summary>Reads the 2-byte big-endian prefix at the start of the sequence.</summary>
    internal static int ReadLength(in ReadOnlySequence<byte> buffer)
    {
        var first = buffer.FirstSpan;
        if (first.Length >= LengthPrefixSize)
        {
            return BinaryPrimitives.ReadUInt16BigEndian(first);
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        buffer.Slice(0, LengthPrefixSize).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt16BigEndian(prefix);
    }
}
