using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.Engine.Protocol;

/// <summary>
/// Writes tunnel frames: a 2-byte big-endian length, then the protobuf message. Google.Protobuf
/// emits fields in ascending number order and omits default values, which is exactly what the
/// reference proxy puts on the wire (docs/protocol.md sections 6 and 18).
/// </summary>
internal static class FrameWriter
{
    /// <summary>Size of the whole frame (prefix included) for <paramref name="message"/>.</summary>
    public static int GetFrameLength(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return FrameReader.LengthPrefixSize + GetCheckedBodyLength(message);
    }

    /// <summary>Writes one frame into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Message message, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        int bodyLength = GetCheckedBodyLength(message);
        int frameLength = FrameReader.LengthPrefixSize + bodyLength;
        if (destination.Length < frameLength)
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes; the frame needs {frameLength}", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)bodyLength);
        message.WriteTo(destination.Slice(FrameReader.LengthPrefixSize, bodyLength));
        return frameLength;
    }

    /// <summary>Writes one frame into <paramref name="writer"/>; returns the bytes written.</summary>
    public static int Write(Message message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int frameLength = GetFrameLength(message);
        int written = Write(message, writer.GetSpan(frameLength));
        writer.Advance(written);
        return written;
    }

    /// <summary>Returns one frame as a new array (tests, control messages).</summary>
    public static byte[] ToArray(Message message)
    {
        var frame = new byte[GetFrameLength(message)];
        Write(message, frame);
        return frame;
    }

    private static int GetCheckedBodyLength(Message message)
    {
        int bodyLength = message.CalculateSize();
        if (bodyLength > FrameReader.MaxFrameBodyLength)
        {
            throw new ArgumentException($"message of {bodyLength} bytes does not fit a 2-byte length prefix (max {FrameReader.MaxFrameBodyLength})", nameof(message));
        }

        return bodyLength;
    }
}
