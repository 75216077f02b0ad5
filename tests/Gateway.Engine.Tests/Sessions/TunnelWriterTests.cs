using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;
using Gateway.Engine.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// The send side of a link over a real TCP pair: frames other than DATA and the close are bounded,
/// and past the bound the link ends once, with its own reason and an error line, instead of a
/// frame going missing quietly; after that only the close is taken, and what was queued still
/// leaves once the writer runs.
/// </summary>
public sealed class TunnelWriterTests
{
    private const int Capacity = 32;

    [Fact]
    public async Task ControlFramesPastTheBoundEndTheLinkOnceAndTheCloseStillGoes()
    {
        var (client, server) = await ConnectedPairAsync();
        using var peer = new NetworkStream(server, ownsSocket: true);
        var session = NewSession();
        var socket = new TunnelWebSocket(client, new NetworkStream(client, ownsSocket: false), PipeReader.Create(Stream.Null), "aws.iot.securetunneling-3.0", null);
        await using var _ = socket;
        var ended = new TaskCompletionSource<LinkEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        int ends = 0;
        var writer = new TunnelWriter(session, socket, end =>
        {
            Interlocked.Increment(ref ends);
            ended.TrySetResult(end);
        }, Capacity);

        // The writer loop is not running yet, as when the service takes nothing: pongs of 125
        // bytes (a ping flood answered) pile up to the bound, and the one past it ends the link.
        var pong = new byte[125];
        int accepted = 0;
        while (writer.EnqueueControl(WebSocketOpcode.Pong, pong))
        {
            accepted++;
            Assert.True(accepted <= Capacity, "the control queue is not bounded");
        }

        Assert.Equal(Capacity, accepted);
        Assert.Equal(Capacity, writer.ControlQueued);
        var linkEnd = await ended.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(LinkEndKind.ControlQueueFull, linkEnd.Kind);
        Assert.Contains($"{Capacity} control frames", linkEnd.Message, StringComparison.Ordinal);

        // The link is ending and says so once: messages, pings and DATA are refused from now on
        // (the caller keeps its buffer and slot), nothing more is logged; the close still goes.
        Assert.False(writer.EnqueueMessage(TunnelMessages.StreamReset(1, "SSH1")));
        Assert.False(writer.EnqueueControl(WebSocketOpcode.Ping, "1"u8));
        var lane = TunnelWriter.CreateLane();
        await writer.WaitForDataSlotAsync(lane, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        var buffer = ArrayPool<byte>.Shared.Rent(DataFrameEncoder.BufferSize(16));
        var (offset, length) = DataFrameEncoder.Encode(buffer, 16, 1, null, 1);
        Assert.False(writer.EnqueueData(lane, buffer, offset, length, 16));
        writer.ReleaseDataSlot(lane);
        ArrayPool<byte>.Shared.Return(buffer);
        Assert.Single(session.Log.Recent(), line => line.Level == "Error" && line.Message.Contains("control frames", StringComparison.Ordinal));
        var close = TunnelWebSocket.ClosePayload(1000, null);
        Assert.True(writer.EnqueueControl(WebSocketOpcode.Close, close));

        // Once the writer runs, every queued frame leaves (a masked header of 6 bytes each, all
        // payloads under 126 bytes) and gives its place back.
        var run = writer.RunAsync();
        var received = new byte[(Capacity * (6 + pong.Length)) + (6 + close.Length)];
        await peer.ReadExactlyAsync(received).AsTask().WaitAsync(TestTimeouts.Default);
        writer.Complete();
        await run.WaitAsync(TestTimeouts.Default);
        Assert.Equal(0, writer.ControlQueued);
        Assert.Equal(TunnelWriter.ConnectionQueueCapacity, lane.Slots.CurrentCount);
        Assert.Equal(1, Volatile.Read(ref ends));
    }

    private static TunnelSession NewSession()
    {
        var spec = SessionSpecValidator.Validate(new SessionSpec
        {
            Mode = SessionMode.Source,
            Region = "us-east-1",
            AccessToken = "AQGAAXhHXyZ-secret-access-token",
            Services = "SSH1=5555",
        }).Spec!;
        return new TunnelSession("writer-test", spec, null, TimeProvider.System, NullLogger.Instance, TestTimeouts.Default, (_, _) => { });
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(TestTimeouts.Default);
        return (client, await accept.WaitAsync(TestTimeouts.Default));
    }
}
