using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Cli.Tests.Infrastructure;

/// <summary>
/// A fake HTTP web proxy on 127.0.0.1 (port 0) for <c>https_proxy</c>: it records the first line of
/// every request (<c>CONNECT host:port HTTP/1.1</c>). A CONNECT to 127.0.0.1 is carried for real (so a
/// process can still reach the test relay); every other target is answered <c>403 Forbidden</c>, so
/// a test never resolves or contacts anything beyond loopback.
/// </summary>
internal sealed class ConnectProxyRecorder : IDisposable
{
    private const int MaxHead = 16 * 1024;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ConnectProxyRecorder(TcpListener listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>The value for <c>https_proxy</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The first line of every request so far, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public static ConnectProxyRecorder Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(64);
        return new ConnectProxyRecorder(listener);
    }

    /// <summary>Waits (bounded) until a request has arrived; returns the first one's first line.</summary>
    public async Task<string> WaitForRequestAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bounds.Step);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_requests.TryPeek(out var first))
                {
                    return first;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("the web proxy received no request within the bound");
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        Socket? upstream = null;
        try
        {
            var buffer = new byte[MaxHead];
            int filled = 0;
            int end;
            while ((end = buffer.AsSpan(0, filled).IndexOf(HeadEnd)) < 0)
            {
                if (filled == buffer.Length)
                {
                    return;
                }

                int read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
            }

            string head = Encoding.ASCII.GetString(buffer, 0, end);
            string requestLine = head.Split("\r\n")[0];
            Record(requestLine);
            string[] parts = requestLine.Split(' ');
            if (parts.Length == 3 && parts[0] == "CONNECT" && parts[1].StartsWith("127.0.0.1:", StringComparison.Ordinal)
                && int.TryParse(parts[1]["127.0.0.1:".Length..], System.Globalization.CultureInfo.InvariantCulture, out int port))
            {
                upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), _stop.Token);
                await client.SendAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), SocketFlags.None, _stop.Token);
                int extra = end + HeadEnd.Length;
                if (filled > extra)
                {
                    await upstream.SendAsync(buffer.AsMemory(extra, filled - extra), SocketFlags.None, _stop.Token);
                }

                await Task.WhenAll(PipeAsync(client, upstream), PipeAsync(upstream, client));
                return;
            }

            await client.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), SocketFlags.None, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    /// <summary>Copies until <paramref name="from"/> ends, then ends <paramref name="to"/>'s sending side.</summary>
    private async Task PipeAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private void Record(string requestLine)
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            _requests.Enqueue(requestLine);
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
