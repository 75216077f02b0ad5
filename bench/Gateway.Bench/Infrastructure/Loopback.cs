using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Bench.Infrastructure;

/// <summary>TCP endpoints of the driver itself, all on 127.0.0.1: listeners, a pattern sender, a verifying sink.</summary>
internal static class Loopback
{
    public static Socket Listen(int backlog = 4096)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(backlog);
        return listener;
    }

    public static int Port(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    public static async Task<Socket> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="total"/> pattern bytes in chunks of at most 1 MiB, then FIN unless
    /// <paramref name="finish"/> is false (the tunnel turns a FIN into a reset of the whole
    /// connection, so a client that still waits for an answer must not half-close).
    /// </summary>
    public static async Task SendPatternAsync(Socket socket, long total, int seed, CancellationToken cancellationToken, int chunk = Pattern.ChunkSize, bool finish = true)
    {
        long sent = 0;
        while (sent < total)
        {
            int take = (int)Math.Min(chunk, total - sent);
            await socket.SendAsync(Pattern.At(sent, seed, take), SocketFlags.None, cancellationToken);
            sent += take;
        }

        if (finish)
        {
            socket.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>
    /// Reads until <paramref name="expected"/> bytes arrived (or the peer closed), checking each byte
    /// against the pattern. Optionally paced to <paramref name="bytesPerSecond"/> (a slow consumer).
    /// Returns the bytes received, whether they all matched, and when the last one arrived.
    /// </summary>
    public static async Task<SinkResult> SinkAsync(Socket socket, long expected, int seed, CancellationToken cancellationToken, double bytesPerSecond = 0, int bufferSize = Pattern.ChunkSize)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(bufferSize);
        long received = 0;
        bool intact = true;
        var clock = Stopwatch.StartNew();
        while (received < expected)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                break;
            }

            intact &= Pattern.Matches(buffer.AsSpan(0, n), received, seed);
            received += n;
            if (bytesPerSecond > 0)
            {
                // Pacing (not synchronisation): read no faster than the configured rate.
                var due = TimeSpan.FromSeconds(received / bytesPerSecond) - clock.Elapsed;
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken);
                }
            }
        }

        return new SinkResult(received, intact && received == expected, Stopwatch.GetTimestamp());
    }
}
