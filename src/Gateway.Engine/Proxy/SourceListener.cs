using System.Net;
using System.Net.Sockets;

namespace Gateway.Engine.Proxy;

/// <summary>
/// A listening socket of a source session. It is bound when the session starts (so a port conflict
/// is reported at once and the port stays ours across reconnects) but only listens once SERVICE_IDS
/// arrived, as the reference does (docs/protocol.md 8.1): before that, connects are refused.
/// </summary>
internal sealed class SourceListener : IDisposable
{
    private const int Backlog = 512;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private int _listening;

    private SourceListener(Socket socket, IPEndPoint endPoint)
    {
        _socket = socket;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>The service new connections go to; null while no connection to the service is ready.</summary>
    public volatile ServiceChannel? Target;

    /// <summary>Binds; throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse).</summary>
    public static SourceListener Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (port != 0 && OperatingSystem.IsLinux())
            {
                // SO_REUSEADDR only (not .NET's ReuseAddress, which also sets SO_REUSEPORT and would let
                // two listeners share a port): rebinding a port in TIME_WAIT works, a live listener still conflicts.
                socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
            }

            socket.Bind(new IPEndPoint(address, port));
            return new SourceListener(socket, (IPEndPoint)socket.LocalEndPoint!);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts listening (once) and hands every accepted socket to <paramref name="onAccepted"/>.
    /// Throws <see cref="SocketException"/> (AddressAlreadyInUse) when another socket started
    /// listening on the port since it was bound: on Linux SO_REUSEADDR lets two sockets bind one
    /// port while neither listens (two proxies given the same -s port), and only listen tells.
    /// Called only from the session's dispatcher, one call at a time.
    /// </summary>
    public void StartAccepting(Action<SourceListener, Socket> onAccepted)
    {
        if (Volatile.Read(ref _listening) != 0)
        {
            return;
        }

        _socket.Listen(Backlog);
        Volatile.Write(ref _listening, 1);
        _ = AcceptLoopAsync(onAccepted);
    }

    private async Task AcceptLoopAsync(Action<SourceListener, Socket> onAccepted)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset before accept completed: keep listening. Out of descriptors:
                // keep listening too, but do not spin.
                if (ex.SocketErrorCode != SocketError.ConnectionReset && ex.SocketErrorCode != SocketError.ConnectionAborted)
                {
                    try
                    {
                        await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            onAccepted(this, accepted);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
