using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// One connection of <see cref="EchoServer"/>: counts what it receives (and keeps it, when the server was started
/// with keepReceived), echoes it while <see cref="Echo"/> is true.
/// </summary>
public sealed class EchoConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly MemoryStream _received = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<TcpCloseKind?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private readonly bool _keepReceived;
    private readonly Action _onEnded;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _receivedBytes;
    private volatile bool _echo = true;
    private volatile bool _closedByServer;

    internal EchoConnection(Socket socket, bool keepReceived, Action onEnded)
    {
        _socket = socket;
        _keepReceived = keepReceived;
        _onEnded = onEnded;
        _stream = new NetworkStream(socket, ownsSocket: true);
        RemoteEndPoint = socket.RemoteEndPoint;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The client's end point (to tell connections apart).</summary>
    public System.Net.EndPoint? RemoteEndPoint { get; }

    /// <summary>Bytes received so far.</summary>
    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    /// <summary>A copy of every byte received so far (only when the server was started with keepReceived).</summary>
    public byte[] Received
    {
        get
        {
            if (!_keepReceived)
            {
                throw new InvalidOperationException("the echo server was started without keepReceived: received bytes are counted, not kept");
            }

            lock (_gate)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary>Echo received bytes back (default true). While false, bytes are only counted and kept.</summary>
    public bool Echo
    {
        get => _echo;
        set => _echo = value;
    }

    /// <summary>True once the connection ended (peer closed, reset, or closed by the server).</summary>
    public bool IsClosed => _ended.Task.IsCompleted;

    /// <summary>How the peer ended the connection, or null while open or if the server side closed it.</summary>
    public TcpCloseKind? ClosedByPeer => _ended.Task.IsCompletedSuccessfully ? _ended.Task.Result : null;

    /// <summary>Waits until at least <paramref name="total"/> bytes were received in all.</summary>
    public async Task WaitForReceivedAsync(long total, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        while (true)
        {
            var progress = Volatile.Read(ref _progress);
            if (ReceivedBytes >= total)
            {
                return;
            }

            if (IsClosed)
            {
                throw new InvalidOperationException($"The echo connection ended after {ReceivedBytes} of {total} bytes.");
            }

            try
            {
                await progress.Task.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"The echo connection received {ReceivedBytes} of {total} bytes within {limit}.");
            }
        }
    }

    /// <summary>Waits until the connection ended; returns how the peer closed it (null if the server side closed it).</summary>
    public async Task<TcpCloseKind?> WaitForClosedAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        try
        {
            return await _ended.Task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The echo connection was still open after {limit} ({ReceivedBytes} bytes received).");
        }
    }

    /// <summary>Sends bytes from the server side (independent of echoing).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> data, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _writeLock.WaitAsync(cts.Token).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(data, cts.Token).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending {data.Length} bytes from the echo server did not complete within {limit}.");
        }
    }

    /// <summary>Closes from the server side gracefully (FIN).</summary>
    public void Close()
    {
        _closedByServer = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Close();
    }

    /// <summary>Closes from the server side with a reset (RST).</summary>
    public void Abort()
    {
        _closedByServer = true;
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Close();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _closedByServer = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _loop.WaitAsync(TestTimeouts.Short).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing more to do in a test.
        }
    }

    private void Signal()
    {
        var previous = Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[64 * 1024];
        TcpCloseKind? closedBy = null;
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    closedBy = TcpCloseKind.Eof;
                    break;
                }

                if (_keepReceived)
                {
                    lock (_gate)
                    {
                        _received.Write(buffer, 0, read);
                    }
                }

                Interlocked.Add(ref _receivedBytes, read);
                Signal();
                if (_echo)
                {
                    await _writeLock.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        await _stream.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                    }
                    finally
                    {
                        _writeLock.Release();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            closedBy = _closedByServer ? null
                : e is SocketException { SocketErrorCode: SocketError.ConnectionReset } || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                    ? TcpCloseKind.Reset
                    : null;
        }
        finally
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }

            _socket.Close();
            _ended.TrySetResult(closedBy);
            Signal();
            _onEnded();
        }
    }
}
