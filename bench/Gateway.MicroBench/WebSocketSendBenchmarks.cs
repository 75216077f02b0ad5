using System.IO.Pipelines;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Relay;
using Gateway.Engine.Transport;

namespace Gateway.MicroBench;

/// <summary>
/// The engine's WebSocket send path: header in front of the payload, payload masked in place, one
/// write, here to <see cref="Stream.Null"/> so only the framing and masking are measured. Also the
/// masking alone. One operation = one WebSocket message. The socket is never connected or bound.
/// </summary>
[MemoryDiagnoser]
public class WebSocketSendBenchmarks
{
    private const uint MaskKey = 0x1234_5678;

    private readonly byte[] _buffer = new byte[DataFrameEncoder.BufferSize(BenchFrames.Max)];
    private Socket _socket = null!;
    private TunnelWebSocket _webSocket = null!;

    [Params(BenchFrames.Small, BenchFrames.Max)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchFrames.Payload(PayloadSize).CopyTo(_buffer, DataFrameEncoder.PayloadOffset);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _webSocket = new TunnelWebSocket(_socket, Stream.Null, PipeReader.Create(Stream.Null), Subprotocols.V3, channelId: null);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _webSocket.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    // Stream.Null completes synchronously, so GetResult never blocks.
    [Benchmark(Baseline = true)]
    public void SendBinary() =>
        _webSocket.SendAsync(WebSocketOpcode.Binary, _buffer, DataFrameEncoder.PayloadOffset, PayloadSize, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public void MaskOnly() => WebSocketMask.Apply(_buffer.AsSpan(DataFrameEncoder.PayloadOffset, PayloadSize), MaskKey);
}
