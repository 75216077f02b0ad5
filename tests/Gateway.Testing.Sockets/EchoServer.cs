using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Gateway.Testing;

/// <summary>
/// A TCP echo server (the destination application) on 127.0.0.1 (or ::1), port 0 unless given. Connections are
/// accepted in the background; each one (<see cref="EchoConnection"/>) echoes what it receives until the peer
/// closes, then closes too. A test can wait for the next connection, look at what one received, stop its echo or
/// close it from the server side, or count and wait for the open ones.
/// </summary>
public sealed class EchoServer : IDisposable, IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly bool _keepReceived;
    private readonly Channel<EchoConnection> _accepted = Channel.CreateUnbounded<EchoConnection>();
    private readonly ConcurrentQueue<EchoConnection> _all = new();
    private readonly ConcurrentQueue<IPEndPoint> _peers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;
    private int _acceptedCount;
    private int _active;
    private TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EchoServer(TcpListener listener, bool keepReceived)
    {
        _listener = listener;
        _keepReceived = keepReceived;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The listening port.</summary>
    public int Port { get; }

    /// <summary>How many connections were accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _acceptedCount);

    /// <summary>The address and port each accepted connection came from, in order.</summary>
    public IReadOnlyList<IPEndPoint> Peers => [.. _peers];

    /// <summary>Connections accepted and not yet closed.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Every connection accepted so far, in order.</summary>
    public IReadOnlyList<EchoConnection> Connections => [.. _all];

    /// <summary>
    /// Starts listening on <paramref name="address"/> (127.0.0.1 unless given) and <paramref name="port"/> (a free
    /// one unless given). With <paramref name="keepReceived"/> each connection also keeps a copy of every byte it
    /// received (<see cref="EchoConnection.Received"/>); without, it only counts them (large transfers).
    /// </summary>
    public static EchoServer Start(IPAddress? address = null, int port = 0, bool keepReceived = false)
    {
        var listener = new TcpListener(address ?? IPAddress.Loopback, port);
        listener.Start(512);
        return new EchoServer(listener, keepReceived);
    }

    /// <summary>The next accepted connection not returned yet.</summary>
    public async Task<EchoConnection> NextConnectionAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _accepted.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No new connection to the echo server on port {Port} within {limit} ({Accepted} accepted in total).");
        }
    }

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

            await closed.WaitAsync(cts.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        if (!StopListening())
        {
            return;
        }

        foreach (var connection in _all)
        {
            connection.Close();
        }
    }

    /// <summary>Stops listening, closes every connection and waits (bounded) for their loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!StopListening())
        {
            return;
        }

        try
        {
            await _acceptLoop.WaitAsync(TestTimeouts.Short).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing more to do in a test.
        }

        foreach (var connection in _all)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool StopListening()
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return false;
            }

            _stop.Cancel();
        }

        _listener.Stop();
        _listener.Dispose();
        return true;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                _peers.Enqueue((IPEndPoint)socket.RemoteEndPoint!);
                Interlocked.Increment(ref _acceptedCount);
                Interlocked.Increment(ref _active);
                var connection = new EchoConnection(socket, _keepReceived, OnConnectionEnded);
                _all.Enqueue(connection);
                _accepted.Writer.TryWrite(connection);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _accepted.Writer.TryComplete();
        }
    }

    private void OnConnectionEnded()
    {
        Interlocked.Decrement(ref _active);
        Interlocked.Exchange(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
