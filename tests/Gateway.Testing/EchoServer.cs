using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>A TCP echo server on 127.0.0.1 (or ::1), port 0 unless given, that echoes every connection until it closes.</summary>
public sealed class EchoServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<IPEndPoint> _peers = new();
    private int _accepted;
    private int _active;
    private TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EchoServer(TcpListener listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The address and port each accepted connection came from, in order.</summary>
    public IReadOnlyList<IPEndPoint> Peers => [.. _peers];

    /// <summary>Connections accepted and not yet closed.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Waits (bounded) until no connection is open, e.g. until the tunnel closed the one it carried.</summary>
    public async Task WaitIdleAsync()
    {
        using var cts = new CancellationTokenSource(Bounds.Step);
        while (true)
        {
            var closed = Volatile.Read(ref _closed).Task;
            if (Active == 0)
            {
                return;
            }

            await closed.WaitAsync(cts.Token);
        }
    }

    public static EchoServer Start(IPAddress? address = null, int port = 0)
    {
        var listener = new TcpListener(address ?? IPAddress.Loopback, port);
        listener.Start(512);
        return new EchoServer(listener);
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

            _peers.Enqueue((IPEndPoint)socket.RemoteEndPoint!);
            Interlocked.Increment(ref _accepted);
            Interlocked.Increment(ref _active);
            _ = EchoAsync(socket);
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _active);
            Interlocked.Exchange(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
