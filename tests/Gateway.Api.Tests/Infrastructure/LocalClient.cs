using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>A user's TCP client at a source session's port: connect, echo round trips, close detection. Every wait is bounded.</summary>
internal static class LocalClient
{
    public static async Task<TcpClient> ConnectAsync(int port, IPAddress? address = null)
    {
        var client = new TcpClient((address ?? IPAddress.Loopback).AddressFamily) { NoDelay = true };
        try
        {
            await client.ConnectAsync(address ?? IPAddress.Loopback, port).WaitAsync(TestGateway.Timeout);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="data"/> while reading its echo; fails unless the same bytes come back.</summary>
    public static async Task EchoAsync(this TcpClient client, byte[] data, TimeSpan? timeout = null)
    {
        var stream = client.GetStream();
        var received = new byte[data.Length];
        using var cts = new CancellationTokenSource(timeout ?? TestGateway.Timeout);
        var reading = stream.ReadExactlyAsync(received, cts.Token).AsTask();
        await stream.WriteAsync(data, cts.Token);
        await reading;
        Assert.True(data.AsSpan().SequenceEqual(received), $"the echo of {data.Length} bytes differs");
    }

    /// <summary>A round trip of <paramref name="length"/> random bytes.</summary>
    public static Task EchoRandomAsync(this TcpClient client, int length = 1024, TimeSpan? timeout = null) =>
        client.EchoAsync(RandomNumberGenerator.GetBytes(length), timeout);

    /// <summary>
    /// Reads (discarding) until the connection ends by EOF or reset. Fails if it is still open after
    /// <paramref name="timeout"/>. Returns how it ended and how many bytes arrived before.
    /// </summary>
    public static async Task<(string How, long Bytes)> WaitClosedAsync(this TcpClient client, TimeSpan? timeout = null)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        using var cts = new CancellationTokenSource(timeout ?? TestGateway.Timeout);
        try
        {
            while (true)
            {
                int read = await client.Client.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    return ("eof", total);
                }

                total += read;
            }
        }
        catch (SocketException ex)
        {
            return ($"reset ({ex.SocketErrorCode})", total);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the local connection is still open after {(timeout ?? TestGateway.Timeout).TotalSeconds:0.#} s ({total} bytes read)");
            throw;
        }
    }
}
