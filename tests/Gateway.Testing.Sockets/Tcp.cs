using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

public static class Tcp
{
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// A port that was free a moment ago (another process may take it; tests that can, retry). Never the same
    /// port twice in one test process: the kernel hands a released port out again, and two tests running at
    /// the same time would then bind one port (on Linux both binds succeed with SO_REUSEADDR; one listen fails).
    /// </summary>
    public static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, 0) || attempt >= 100)
            {
                return port;
            }
        }
    }

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(Bounds.Step);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        return socket;
    }

    /// <summary>Sends <paramref name="payload"/> while reading the same number of bytes back (an echo); returns them.</summary>
    public static async Task<byte[]> EchoAsync(Socket socket, byte[] payload, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bounds.Long);
        var send = SendAllAsync(socket, payload, cts.Token);
        var received = await ReceiveExactlyAsync(socket, payload.Length, cts.Token);
        await send;
        return received;
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        int sent = 0;
        while (sent < payload.Length)
        {
            int chunk = Math.Min(64 * 1024, payload.Length - sent);
            sent += await socket.SendAsync(payload.Slice(sent, chunk), SocketFlags.None, cancellationToken);
        }
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException($"the connection closed after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Reads until the peer closes (FIN: returns true) or resets (false); bounded.</summary>
    public static async Task<bool> WaitClosedAsync(Socket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bounds.Step);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
