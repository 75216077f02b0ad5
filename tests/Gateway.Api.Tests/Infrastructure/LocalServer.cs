using System.Net;
using System.Net.Sockets;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>
/// A local application behind a destination session: a TCP (127.0.0.1 or ::1) or unix-socket
/// listener that runs <c>handler</c> on every accepted connection, then closes it. Counts accepted
/// and finished connections so tests can wait (event-driven, bounded) for the app's side to close.
/// </summary>
internal sealed class LocalServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _finishedSignal = new(0);
    private readonly string? _unixDirectory;
    private int _accepted;
    private int _finished;

    private LocalServer(Socket listener, Func<Socket, CancellationToken, Task> handler, string? unixPath, string? unixDirectory)
    {
        _listener = listener;
        _handler = handler;
        _unixDirectory = unixDirectory;
        UnixPath = unixPath;
        Port = listener.LocalEndPoint is IPEndPoint ip ? ip.Port : 0;
        _ = AcceptLoopAsync();
    }

    /// <summary>TCP port (0 for a unix socket).</summary>
    public int Port { get; }

    /// <summary>The unix socket path, or null for TCP.</summary>
    public string? UnixPath { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public int Finished => Volatile.Read(ref _finished);

    public static LocalServer StartTcp(Func<Socket, CancellationToken, Task> handler, IPAddress? address = null, int port = 0)
    {
        address ??= IPAddress.Loopback;
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new LocalServer(listener, handler, null, null);
    }

    /// <summary>Listens on <c>app.sock</c> in a new temporary directory (removed on dispose).</summary>
    public static LocalServer StartUnix(Func<Socket, CancellationToken, Task> handler)
    {
        string directory = Directory.CreateTempSubdirectory("gw-uds-").FullName;
        string path = Path.Combine(directory, "app.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new LocalServer(listener, handler, path, directory);
    }

    /// <summary>Echoes until the peer closes (or the server stops).</summary>
    public static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }
    }

    /// <summary>A handler that writes <paramref name="data"/> to each connection, then closes it.</summary>
    public static Func<Socket, CancellationToken, Task> Pusher(ReadOnlyMemory<byte> data) => async (socket, cancellationToken) =>
    {
        int sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data[sent..], SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    };

    /// <summary>Waits (bounded) until at least <paramref name="count"/> connections have finished (closed).</summary>
    public async Task WaitFinishedAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestGateway.Timeout);
        while (Finished < count)
        {
            try
            {
                await _finishedSignal.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"only {Finished} of {count} local connection(s) finished (accepted {Accepted})");
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = RunAsync(socket);
        }
    }

    private async Task RunAsync(Socket socket)
    {
        try
        {
            await _handler(socket, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            socket.Dispose();
            Interlocked.Increment(ref _finished);
            _finishedSignal.Release();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (_unixDirectory is not null)
        {
            try
            {
                Directory.Delete(_unixDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
