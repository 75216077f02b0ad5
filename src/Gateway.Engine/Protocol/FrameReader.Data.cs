using System.Buffers;
using System.Text.Unicode;

namespace Gateway.Engine.Protocol;

internal static partial class FrameReader
{
    // Tags (field number << 3 | wire type) of the fields a DATA frame may carry (Message.proto).
    private const byte TypeTag = 0x08;
    private const byte StreamIdTag = 0x10;
    private const byte IgnorableTag = 0x18;
    private const byte PayloadTag = 0x22;
    private const byte ServiceIdTag = 0x2A;
    private const byte ConnectionIdTag = 0x38;
    private const int DataType = 1;

    /// <summary>
    /// The fast path for the one frame type that carries bulk: when the next complete frame is a
    /// DATA frame made only of the fields DATA uses, each with its proper wire type and a valid
    /// UTF-8 service id, reads it in place (no allocation, no copy), slices it off
    /// <paramref name="buffer"/> and returns true. Anything else (another type, an incomplete
    /// frame, an unusual or malformed encoding) returns false and leaves the buffer as it was: the
    /// caller then uses <see cref="TryRead"/>, which decides exactly as Google.Protobuf does. For
    /// every frame this accepts, the result equals what <see cref="TryRead"/> would give.
    /// </summary>
    internal static bool TryReadData(ref ReadOnlySequence<byte> buffer, out DataFrame frame, int maxBodyLength = MaxFrameBodyLength)
    {
        frame = default;
        if (buffer.Length < LengthPrefixSize)
        {
            return false;
        }

        int length = ReadLength(buffer);
        if (length == 0 || length > maxBodyLength || buffer.Length < LengthPrefixSize + length)
        {
            return false;
        }

        var body = buffer.Slice(LengthPrefixSize, length);
        var reader = new SequenceReader<byte>(body);
        long type = 0;
        int streamId = 0;
        uint connectionId = 0;
        ReadOnlySequence<byte> payload = default;
        ReadOnlySequence<byte> serviceId = default;
        while (!reader.End)
        {
            if (!reader.TryRead(out byte tag))
            {
                return false;
            }

            switch (tag)
            {
                case TypeTag:
                    if (!TryReadVarint(ref reader, out ulong t))
                    {
                        return false;
                    }

                    type = (int)t;
                    break;
                case StreamIdTag:
                    if (!TryReadVarint(ref reader, out ulong s))
                    {
                        return false;
                    }

                    streamId = (int)s;
                    break;
                case IgnorableTag:
                    if (!TryReadVarint(ref reader, out _))
                    {
                        return false;
                    }

                    break;
                case ConnectionIdTag:
                    if (!TryReadVarint(ref reader, out ulong c))
                    {
                        return false;
                    }

                    connectionId = (uint)c;
                    break;
                case PayloadTag:
                    if (!TryReadLengthDelimited(ref reader, out payload))
                    {
                        return false;
                    }

                    break;
                case ServiceIdTag:
                    // Every occurrence must be valid UTF-8 (Google.Protobuf checks each while parsing,
                    // though only the last one is kept).
                    if (!TryReadLengthDelimited(ref reader, out serviceId) || !IsValidUtf8(serviceId))
                    {
                        return false;
                    }

                    break;
                default:
                    // Multi-byte tags, other fields, groups, unknown fields: the full parser's job.
                    return false;
            }
        }

        if (type != DataType)
        {
            return false;
        }

        frame = new DataFrame(streamId, connectionId, serviceId, payload);
        buffer = buffer.Slice(LengthPrefixSize + length);
        return true;
    }

    // A base-128 varint of at most 10 bytes, the 10th carrying only bit 63 (else protobuf calls it malformed).
    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out byte b))
            {
                return false;
            }

            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryReadLengthDelimited(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> value)
    {
        value = default;
        if (!TryReadVarint(ref reader, out ulong length) || length > (ulong)reader.Remaining)
        {
            return false;
        }

        value = reader.UnreadSequence.Slice(0, (long)length);
        reader.Advance((long)length);
        return true;
    }

    private static bool IsValidUtf8(in ReadOnlySequence<byte> text)
    {
        if (text.IsEmpty)
        {
            return true;
        }

        if (text.IsSingleSegment)
        {
            return Utf8.IsValid(text.FirstSpan);
        }

        // A service id is short (at most 128 characters); one split across segments is rare.
        Span<byte> copy = text.Length <= 512 ? stackalloc byte[(int)text.Length] : new byte[text.Length];
        text.CopyTo(copy);
        return Utf8.IsValid(copy);
    }
}
