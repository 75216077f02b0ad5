using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Gateway.Engine.Protocol;
using Gateway.Engine.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.MicroBench;

/// <summary>
/// The relay's forwarding step end to end, in memory: the source client sends one binary WebSocket
/// message holding one DATA frame, the relay receives, validates and forwards it, the destination
/// client receives it whole. One operation = one forwarded frame. Allocations are counted on every
/// thread (the relay's loops run on the thread pool). Two references for what the harness costs:
/// <see cref="PlainForwarder"/> (baseline) has the same topology and thread hops but a bare
/// receive-then-send loop instead of the relay, so the relay's own share is the difference;
/// <see cref="TransportOnly"/> is one client-to-server hop that completes synchronously.
/// </summary>
[MemoryDiagnoser]
public class RelayForwardingBenchmarks
{
    private static readonly WebSocketCreationOptions ServerOptions = new() { IsServer = true, KeepAliveInterval = TimeSpan.Zero };
    private static readonly WebSocketCreationOptions ClientOptions = new() { IsServer = false, KeepAliveInterval = TimeSpan.Zero };
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _owned = [];
    private readonly byte[] _receiveBuffer = new byte[256 * 1024];
    private TunnelRelay _relay = null!;
    private Task _sourceRun = Task.CompletedTask;
    private Task _destinationRun = Task.CompletedTask;
    private WebSocket _source = null!;
    private WebSocket _destination = null!;
    private WebSocket _directClient = null!;
    private WebSocket _directServer = null!;
    private WebSocket _plainSource = null!;
    private WebSocket _plainDestination = null!;
    private Task _plainRun = Task.CompletedTask;
    private byte[] _dataFrame = [];

    [Params(BenchFrames.Small, BenchFrames.Max)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var ct = _stop.Token;
        _dataFrame = FrameWriter.ToArray(BenchFrames.Data(PayloadSize));
        var options = Options.Create(new RelayOptions { CloseTimeout = TimeSpan.FromSeconds(2) });
        _relay = new TunnelRelay(new InMemoryTunnelStore(), TimeProvider.System, options, NullLogger<TunnelRelay>.Instance);
        await _relay.InitializeAsync(ct).ConfigureAwait(false);

        var created = (await _relay.CreateAsync(new CreateTunnelRequest([BenchFrames.ServiceId]), ct).ConfigureAwait(false)).Created
            ?? throw new InvalidOperationException("the relay refused to create the tunnel");
        (_source, _sourceRun) = await ConnectAsync("source", created.SourceAccessToken, ct).ConfigureAwait(false);
        (_destination, _destinationRun) = await ConnectAsync("destination", created.DestinationAccessToken, ct).ConfigureAwait(false);

        // Each end gets SERVICE_IDS on attach; the stream is opened once, then only DATA flows.
        await ExpectFrameAsync(_source, FrameWriter.ToArray(TunnelMessages.ServiceIds([BenchFrames.ServiceId]))).ConfigureAwait(false);
        await ExpectFrameAsync(_destination, FrameWriter.ToArray(TunnelMessages.ServiceIds([BenchFrames.ServiceId]))).ConfigureAwait(false);
        var streamStart = FrameWriter.ToArray(BenchFrames.StreamStart());
        await _source.SendAsync(streamStart, WebSocketMessageType.Binary, endOfMessage: true, ct).ConfigureAwait(false);
        await ExpectFrameAsync(_destination, streamStart).ConfigureAwait(false);
        await ForwardOneDataFrame().ConfigureAwait(false);

        (_directClient, _directServer) = CreateWebSocketPair();
        await TransportOnly().ConfigureAwait(false);

        (_plainSource, var plainIn) = CreateWebSocketPair();
        (_plainDestination, var plainOut) = CreateWebSocketPair();
        _plainRun = PlainForwardLoopAsync(plainIn, plainOut, ct);
        await PlainForwarder().ConfigureAwait(false);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _relay.AbortAll();
        await Task.WhenAll(_sourceRun, _destinationRun, _plainRun).WaitAsync(CleanupTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        _stop.Dispose();
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask TransportOnly()
    {
        await _directClient.SendAsync(_dataFrame.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        await ReceiveWholeAsync(_directServer).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask PlainForwarder()
    {
        await _plainSource.SendAsync(_dataFrame.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        await ReceiveWholeAsync(_plainDestination).ConfigureAwait(false);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ForwardOneDataFrame()
    {
        await _source.SendAsync(_dataFrame.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        await ReceiveWholeAsync(_destination).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReceiveWholeAsync(WebSocket socket)
    {
        int received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(_receiveBuffer.AsMemory(received), CancellationToken.None).ConfigureAwait(false);
            received += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

        if (received != _dataFrame.Length)
        {
            throw new InvalidOperationException($"expected a {_dataFrame.Length}-byte message, got {received} bytes ({result.MessageType})");
        }
    }

    // The least a forwarder can do: whole message in, same bytes out, no parsing, no queue.
    private static async Task PlainForwardLoopAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await from.ReceiveAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Binary, endOfMessage: true, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // Cleanup cancels the loop.
        }
    }

    // A connected client (first) and server (second) WebSocket, owned by this instance.
    private (WebSocket Client, WebSocket Server) CreateWebSocketPair()
    {
        var (clientEnd, serverEnd) = DuplexPipeStream.CreatePair();
        var client = WebSocket.CreateFromStream(clientEnd, ClientOptions);
        var server = WebSocket.CreateFromStream(serverEnd, ServerOptions);
        _owned.AddRange([client, server, clientEnd, serverEnd]);
        return (client, server);
    }

    private async Task<(WebSocket Client, Task Run)> ConnectAsync(string mode, string accessToken, CancellationToken ct)
    {
        var request = new RelayUpgradeRequest
        {
            ModeValues = [mode],
            AccessTokenHeaders = [accessToken],
            OfferedSubprotocols = [Subprotocols.V3],
            RequestBytes = 256,
            RemoteAddress = "in-memory",
        };
        var accepted = await _relay.AuthorizeAsync(request, ct).ConfigureAwait(false);
        if (!accepted.Accepted)
        {
            throw new InvalidOperationException($"the relay refused the {mode}: {accepted.StatusCode} {accepted.Reason}");
        }

        var (client, server) = CreateWebSocketPair();
        return (client, _relay.RunConnectionAsync(accepted, server, ct));
    }

    private async Task ExpectFrameAsync(WebSocket socket, byte[] expected)
    {
        int received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(_receiveBuffer.AsMemory(received), _stop.Token).ConfigureAwait(false);
            received += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

        if (!_receiveBuffer.AsSpan(0, received).SequenceEqual(expected))
        {
            throw new InvalidOperationException($"unexpected message from the relay: {Convert.ToHexString(_receiveBuffer, 0, Math.Min(received, 64))} ({result.MessageType})");
        }
    }
}
