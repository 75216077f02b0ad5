using System.Buffers;

namespace Gateway.Engine.Protocol;

/// <summary>
/// A DATA frame seen in place: its fields read, its payload and service id left where they are
/// (slices of the buffer the frame was read from, valid until that buffer is advanced past). What
/// the data path forwards per frame without allocating or copying (docs/performance.md).
/// </summary>
internal readonly struct DataFrame
{
    public DataFrame(int streamId, uint connectionId, ReadOnlySequence<byte> serviceIdUtf8, ReadOnlySequence<byte> payload)
    {
        StreamId = streamId;
        ConnectionId = connectionId;
        ServiceIdUtf8 = serviceIdUtf8;
        Payload = payload;
    }

    public int StreamId { get; }

    /// <summary>0 when absent (V1/V2).</summary>
    public uint ConnectionId { get; }

    /// <summary>The serviceId's UTF-8 bytes (valid UTF-8); empty when absent.</summary>
    public ReadOnlySequence<byte> ServiceIdUtf8 { get; }

    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>True when the service id equals <paramref name="utf8"/> (ordinal, like the string comparison).</summary>
    public bool ServiceIdEquals(ReadOnlySpan<byte> utf8)
    {
        var id = ServiceIdUtf8;
        if (id.Length != utf8.Length)
        {
            return false;
        }

        if (id.IsSingleSegment)
        {
            return id.FirstSpan.SequenceEqual(utf8);
        }

        foreach (var segment in id)
        {
            if (!segment.Span.SequenceEqual(utf8[..segment.Length]))
            {
                return false;
            }

            utf8 = utf8[segment.Length..];
        }

        return true;
    }
}
