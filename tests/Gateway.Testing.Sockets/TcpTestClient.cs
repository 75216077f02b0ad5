using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// A plain TCP client for tests (e.g. playing the local application on the source side). Every call is bounded.
/// Bytes read by <see cref="IsClosedByPeerAsync"/> or by a timed-out <see cref="ReadExactlyAsync"/> stay buffered
/// for later reads.
/// </summary>
public sealed class TcpTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamBuffer _reader;
    private TcpCloseKind? _closedBy;

    private TcpTestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamBuffer(_stream);
    }

    /// <summary>The underlying socket (for local/remote end points or socket options).</summary>
    public Socket Socket => _socket;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<TcpTestClient> ConnectAsync(int port, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Could not connect to 127.0.0.1:{port} within {limit}.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new TcpTestClient(socket);
    }

    /// <summary>Writes all bytes.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> data, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _stream.WriteAsync(data, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending {data.Length} bytes did not complete within {limit} (is the peer reading?).");
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; throws <see cref="EndOfStreamException"/> if the peer closes first.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            if (!await _reader.FillAsync(count, cts.Token).ConfigureAwait(false))
            {
                _closedBy = TcpCloseKind.Eof;
                throw new EndOfStreamException($"The peer closed the connection after {_reader.Count} of {count} bytes: {Hex.Preview(_reader.Data)}");
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Received only {_reader.Count} of {count} bytes within {limit}: {Hex.Preview(_reader.Data)}");
        }

        return _reader.Take(count);
    }

    /// <summary>Reads until the peer closes (EOF or reset) and returns everything read, with how it closed.</summary>
    public async Task<TcpReadResult> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        var closedBy = await ReadUntilClosedCoreAsync(cts.Token).ConfigureAwait(false)
            ?? throw new TimeoutException($"The peer did not close the connection within {limit}; {_reader.Count} bytes read: {Hex.Preview(_reader.Data)}");
        return new TcpReadResult(_reader.Take(_reader.Count), closedBy);
    }

    /// <summary>
    /// True if the peer closes (EOF or reset) within the timeout, false if it is still open then.
    /// Data received meanwhile stays buffered.
    /// </summary>
    public async Task<bool> IsClosedByPeerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        return await ReadUntilClosedCoreAsync(cts.Token).ConfigureAwait(false) is not null;
    }

    /// <summary>Half-closes: sends FIN, keeps reading possible.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Closes with a reset (RST).</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task<TcpCloseKind?> ReadUntilClosedCoreAsync(CancellationToken cancellationToken)
    {
        if (_closedBy is { } known)
        {
            return known;
        }

        try
        {
            while (await _reader.ReadMoreAsync(64 * 1024, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            _closedBy = TcpCloseKind.Eof;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            _closedBy = TcpCloseKind.Reset;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            _closedBy = TcpCloseKind.Reset;
        }

        return _closedBy;
    }
}
