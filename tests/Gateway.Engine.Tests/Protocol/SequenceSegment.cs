using System.Buffers;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>
/// A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>, so tests can put a
/// frame boundary (or a length prefix) across segment boundaries the way a receive loop that
/// keeps unconsumed bytes and appends the next WebSocket message does.
/// </summary>
internal sealed class SequenceSegment : ReadOnlySequenceSegment<byte>
{
    private SequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Starts a chain that <see cref="Append"/> extends, as a pipe does while bytes arrive.</summary>
    public static SequenceSegment First(ReadOnlyMemory<byte> memory) => new(memory, 0);

    /// <summary>Links a new segment after this one (this must be the last segment of its chain).</summary>
    public SequenceSegment Append(ReadOnlyMemory<byte> memory)
    {
        if (Next is not null)
        {
            throw new InvalidOperationException("only the last segment of a chain can be appended to");
        }

        var segment = new SequenceSegment(memory, RunningIndex + Memory.Length);
        Next = segment;
        return segment;
    }

    /// <summary>Builds one sequence whose segments are exactly <paramref name="segments"/> (empty ones included).</summary>
    public static ReadOnlySequence<byte> Create(IEnumerable<ReadOnlyMemory<byte>> segments)
    {
        SequenceSegment? first = null;
        SequenceSegment? last = null;
        foreach (var memory in segments)
        {
            var segment = new SequenceSegment(memory, last is null ? 0 : last.RunningIndex + last.Memory.Length);
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

        return first is null || last is null
            ? ReadOnlySequence<byte>.Empty
            : new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> Create(params byte[][] segments) =>
        Create(segments.Select(segment => (ReadOnlyMemory<byte>)segment));

    /// <summary>Splits <paramref name="bytes"/> at the given offsets (ascending, each in 0..Length).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var segments = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int cut in cuts)
        {
            segments.Add(bytes.AsMemory(start, cut - start));
            start = cut;
        }

        segments.Add(bytes.AsMemory(start));
        return Create(segments);
    }
}
