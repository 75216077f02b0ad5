using System.Buffers;
using BenchmarkDotNet.Attributes;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.MicroBench;

/// <summary>
/// Reading one DATA frame (type, streamId 1, serviceId "SSH", connectionId 1, N payload bytes) out
/// of the receive buffer, contiguous and split into 4096-byte segments as a pipe delivers it (the
/// 64-byte frame fits one segment): <see cref="FrameReader.TryRead"/> parses with Google.Protobuf
/// into a <see cref="Message"/>; <c>FrameReader.TryReadData</c> reads the DATA frame in place.
/// One operation = one frame. A further reader is one more pair of methods like these.
/// </summary>
[MemoryDiagnoser]
public class FrameReaderBenchmarks
{
    private const int SegmentSize = 4096;

    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _segmented;

    [Params(BenchFrames.Small, BenchFrames.Max)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var frame = FrameWriter.ToArray(BenchFrames.Data(PayloadSize));
        _contiguous = new ReadOnlySequence<byte>(frame);
        _segmented = SequenceSegment.Split(frame, SegmentSize);

        // Fail fast rather than measure an error path.
        if (TryReadContiguous() is not Message { Type: Message.Types.Type.Data } || (TryReadSegmented() as Message)?.Payload.Length != PayloadSize
            || TryReadDataContiguous() != PayloadSize || TryReadDataSegmented() != PayloadSize)
        {
            throw new InvalidOperationException("the benchmark frame does not parse as the expected DATA frame");
        }
    }

    [Benchmark(Baseline = true)]
    public object? TryReadContiguous()
    {
        var buffer = _contiguous;
        FrameReader.TryRead(ref buffer, out var message, out _);
        return message;
    }

    [Benchmark]
    public object? TryReadSegmented()
    {
        var buffer = _segmented;
        FrameReader.TryRead(ref buffer, out var message, out _);
        return message;
    }

    [Benchmark]
    public long TryReadDataContiguous()
    {
        var buffer = _contiguous;
        return FrameReader.TryReadData(ref buffer, out var frame) ? frame.Payload.Length : -1;
    }

    [Benchmark]
    public long TryReadDataSegmented()
    {
        var buffer = _segmented;
        return FrameReader.TryReadData(ref buffer, out var frame) ? frame.Payload.Length : -1;
    }
}
