using System.Net;
using System.Net.Sockets;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Tests.Transport;

/// <summary>The layer under TLS that gathers writes until a flush and reads ahead: over a real TCP pair.</summary>
public sealed class CoalescingStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GatheredWritesLeaveOnlyAtTheFlushAndArriveInOrder()
    {
        var (client, server) = await ConnectedPairAsync();
        await using var writer = new CoalescingStream(new NetworkStream(client, ownsSocket: true)) { CoalesceWrites = true };
        using var reader = new NetworkStream(server, ownsSocket: true);
        var chunks = Enumerable.Range(0, 40).Select(i => Enumerable.Repeat((byte)i, 10_000).ToArray()).ToList();

        foreach (var chunk in chunks.Take(3))
        {
            await writer.WriteAsync(chunk).AsTask().WaitAsync(Timeout);
        }

        Assert.False(server.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead), "gathered bytes left before the flush");

        // 400 KB in all exceed the gathering bound: part leaves early, the rest at the flush, in order.
        foreach (var chunk in chunks.Skip(3))
        {
            await writer.WriteAsync(chunk).AsTask().WaitAsync(Timeout);
        }

        await writer.FlushAsync().WaitAsync(Timeout);
        var received = new MemoryStream();
        var buffer = new byte[65536];
        while (received.Length < 400_000)
        {
            int n = await reader.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
            Assert.NotEqual(0, n);
            received.Write(buffer, 0, n);
        }

        Assert.Equal(chunks.SelectMany(c => c).ToArray(), received.ToArray());
    }

    [Fact]
    public async Task WithoutCoalescingEveryWriteGoesOutAtOnce()
    {
        var (client, server) = await ConnectedPairAsync();
        await using var writer = new CoalescingStream(new NetworkStream(client, ownsSocket: true));
        using var reader = new NetworkStream(server, ownsSocket: true);

        await writer.WriteAsync("hello"u8.ToArray()).AsTask().WaitAsync(Timeout);

        var buffer = new byte[16];
        int n = await reader.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
        Assert.Equal("hello"u8.ToArray(), buffer[..n]);
    }

    [Fact]
    public async Task ReadsAheadAndHandsOutSmallReadsWithoutLosingBytes()
    {
        var (client, server) = await ConnectedPairAsync();
        using var writer = new NetworkStream(client, ownsSocket: true);
        await using var reader = new CoalescingStream(new NetworkStream(server, ownsSocket: true));
        var sent = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 251)).ToArray();
        await writer.WriteAsync(sent).AsTask().WaitAsync(Timeout);
        writer.Socket.Shutdown(SocketShutdown.Send);

        var received = new MemoryStream();
        var small = new byte[1000];
        while (true)
        {
            // A zero-byte read waits for data (or the end) without taking a buffer.
            Assert.Equal(0, await reader.ReadAsync(Memory<byte>.Empty).AsTask().WaitAsync(Timeout));
            int n = await reader.ReadAsync(small).AsTask().WaitAsync(Timeout);
            if (n == 0)
            {
                break;
            }

            received.Write(small, 0, n);
        }

        Assert.Equal(sent, received.ToArray());
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Timeout);
        return (client, await accept.WaitAsync(Timeout));
    }
}
