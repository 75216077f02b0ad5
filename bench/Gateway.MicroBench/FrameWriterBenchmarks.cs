using BenchmarkDotNet.Attributes;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;

namespace Gateway.MicroBench;

/// <summary>
/// Writing one frame: Google.Protobuf via <see cref="FrameWriter"/> (STREAM_START control
/// message, DATA message), and the engine's DATA path, <see cref="DataFrameEncoder"/>, which
/// writes the frame around a payload already in place. One operation = one frame. The
/// STREAM_START row does not depend on PayloadSize.
/// </summary>
[MemoryDiagnoser]
public class FrameWriterBenchmarks
{
    private readonly byte[] _destination = new byte[FrameReader.LengthPrefixSize + FrameReader.MaxFrameBodyLength];
    private readonly byte[]? _serviceIdUtf8 = DataFrameEncoder.ServiceIdBytes(BenchFrames.ServiceId);
    private readonly byte[] _encodeBuffer = new byte[DataFrameEncoder.BufferSize(BenchFrames.Max)];
    private Message _streamStart = null!;
    private Message _data = null!;

    [Params(BenchFrames.Small, BenchFrames.Max)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _streamStart = BenchFrames.StreamStart();
        _data = BenchFrames.Data(PayloadSize);
        BenchFrames.Payload(PayloadSize).CopyTo(_encodeBuffer, DataFrameEncoder.PayloadOffset);

        var (offset, length) = EncodeData();
        if (!_encodeBuffer.AsSpan(offset, length).SequenceEqual(FrameWriter.ToArray(_data)))
        {
            throw new InvalidOperationException("DataFrameEncoder and FrameWriter disagree on the DATA frame");
        }
    }

    [Benchmark]
    public int WriteStreamStart() => FrameWriter.Write(_streamStart, _destination);

    [Benchmark(Baseline = true)]
    public int WriteDataMessage() => FrameWriter.Write(_data, _destination);

    [Benchmark]
    public (int Offset, int Length) EncodeData() =>
        DataFrameEncoder.Encode(_encodeBuffer, PayloadSize, BenchFrames.StreamId, _serviceIdUtf8, BenchFrames.ConnectionId);
}
