using System.Net.Sockets;

namespace Gateway.Interop.Tests.Infrastructure;

/// <summary>
/// The byte-verified traffic through a source's local port to an echo server behind the
/// destination: every byte sent comes back and is compared.
/// </summary>
/// <remarks>
/// At most <see cref="Window"/> bytes are in flight per connection: the reference appends every DATA
/// payload to a 131076-byte buffer toward its local socket and never stops reading the WebSocket
/// while that buffer is full, so a full-duplex burst (send everything while reading the echo) made
/// it die with <c>basic_multi_buffer too long</c> in 5 of 5 runs of these tests (docs/protocol.md 8.4
/// and 17; <c>SideBySideTests</c> shows it). A window of 128 KiB (131072 bytes, just under that
/// buffer's size) keeps it below its limit and still moves every byte through every hop; a 64 KiB
/// window made the 10 MB transfer through two reference ends 5 times slower (neither sets
/// TCP_NODELAY, so a half-empty pipe waits for delayed acknowledgements).
/// </remarks>
internal static class Traffic
{
    public const int Window = 128 * 1024;

    /// <summary>
    /// For the reference in V1 (<c>-y V1</c>): at most one DATA payload (64512) in flight. In V1 the
    /// reference sends the first 64512 bytes of a longer local read and keeps the rest until its
    /// next local read (its after-send step looks the connection up under the empty V1 serviceId
    /// and finds none), so an echo with a larger window waits forever for its last bytes.
    /// </summary>
    public const int V1Window = 48 * 1024;

    /// <summary>The window moves in steps of this size.</summary>
    private const int Chunk = 16 * 1024;

    public const int Small = 64 * 1024;
    public const int Large = 10 * 1024 * 1024;
    public const int ParallelConnections = 8;
    public const int ParallelSize = 1024 * 1024;

    /// <summary>64 KiB then 10 MB on one connection, then 8 parallel connections of 1 MB: 9 connections in all.</summary>
    public static async Task VerifyAsync(int port)
    {
        await OneConnectionAsync(port);
        await ParallelAsync(port);
    }

    /// <summary>64 KiB then 10 MB on one connection.</summary>
    public static async Task OneConnectionAsync(int port, int window = Window)
    {
        using var client = await Tcp.ConnectAsync(port);
        await EchoVerifiedAsync(client, Small, window);
        await EchoVerifiedAsync(client, Large, window);
    }

    /// <summary>
    /// 8 connections of 1 MB at once. They are opened one after the other, each once the previous one
    /// has carried a first echo: the reference listens with a backlog of 0 (docs/protocol.md 17), and a
    /// burst of 8 connects had one reset by its kernel in these tests.
    /// </summary>
    public static async Task ParallelAsync(int port)
    {
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < ParallelConnections; i++)
            {
                var client = await Tcp.ConnectAsync(port);
                clients.Add(client);
                await EchoVerifiedAsync(client, 1);
            }

            await Task.WhenAll(clients.Select(client => EchoVerifiedAsync(client, ParallelSize)));
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    /// <summary>
    /// Echoes <paramref name="size"/> random bytes and compares them: a sliding window, the sender
    /// keeps at most <paramref name="window"/> bytes sent and not yet echoed.
    /// </summary>
    public static async Task EchoVerifiedAsync(Socket client, int size, int window = Window)
    {
        var payload = Tcp.RandomBytes(size);
        var received = new byte[size];
        using var cts = new CancellationTokenSource(Bounds.Long);
        using var credits = new SemaphoreSlim(window / Chunk);
        var send = Task.Run(async () =>
        {
            for (int offset = 0; offset < size; offset += Chunk)
            {
                await credits.WaitAsync(cts.Token);
                await Tcp.SendAllAsync(client, payload.AsMemory(offset, Math.Min(Chunk, size - offset)), cts.Token);
            }
        });
        for (int offset = 0; offset < size; offset += Chunk)
        {
            try
            {
                await ReceiveIntoAsync(client, received.AsMemory(offset, Math.Min(Chunk, size - offset)), offset, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{offset} of {size} bytes came back within {Bounds.Long.TotalSeconds} s");
            }

            credits.Release();
        }

        await send.WaitAsync(cts.Token);

        // Assert.Equal on 10 MB arrays would print them; say where they differ instead.
        int same = payload.AsSpan().CommonPrefixLength(received);
        Assert.True(same == size, $"{size} bytes echoed: the first difference is at byte {same}");
    }

    private static async Task ReceiveIntoAsync(Socket client, Memory<byte> target, int offset, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < target.Length)
        {
            int n = await client.ReceiveAsync(target[read..], SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException($"the connection closed after {offset + read} echoed bytes");
            }

            read += n;
        }
    }
}
