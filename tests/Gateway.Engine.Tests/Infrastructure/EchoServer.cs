using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>
/// A TCP echo server on 127.0.0.1 with an ephemeral port (e.g. the destination application). Connections are accepted
/// in the background; each one echoes what it receives until the peer closes, then closes too.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Channel<EchoConnection> _accepted = Channel.CreateUnbounded<EchoConnection>();
    private readonly ConcurrentQueue<EchoConnection> _all = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _acceptedCount;

    private EchoServer(TcpListener listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The listening port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>How many connections were accepted so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    /// <summary>Every connection accepted so far, in order.</summary>
    public IReadOnlyList<EchoConnection> Connections => _all.ToArray();

    /// <summary>Starts listening.</summary>
    public static EchoServer Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new EchoServer(listener);
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
            throw new TimeoutException($"No new connection to the echo server on port {Port} within {limit} ({AcceptedCount} accepted in total).");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
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

        _listener.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                var connection = new EchoConnection(socket);
                Interlocked.Increment(ref _acceptedCount);
                _all.Enqueue(connection);
                _accepted.Writer.TryWrite(connection);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _accepted.Writer.TryComplete();
        }
    }
}
