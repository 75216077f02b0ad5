using System.Buffers;

namespace Gateway.MicroBench;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class SequenceSegment : ReadOnlySequenceSegment<byte>
{
    private SequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>
    /// Copies <paramref name="bytes"/> into separate arrays of <paramref name="segmentSize"/> bytes
    /// (the last one shorter), linked as one sequence, the way a pipe hands over a large frame.
    /// </summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> bytes, int segmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentSize);
        if (bytes.IsEmpty)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        SequenceSegment? first = null;
        SequenceSegment? last = null;
        for (int offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            var chunk = bytes.Slice(offset, Math.Min(segmentSize, bytes.Length - offset)).ToArray();
            var segment = new SequenceSegment(chunk, offset);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Next = segment;
            }

            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }
}
