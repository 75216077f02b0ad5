using System.Net.Sockets;

namespace Gateway.Bench.Infrastructure;

/// <summary>
/// A loopback echo server: one blocking thread per connection for latency runs (no thread-pool
/// hop in the measured path), or async tasks for many connections.
/// </summary>
internal sealed class EchoServer : IDisposable
{
    private readonly Socket _listener = Loopback.Listen();
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _threads;

    public EchoServer(bool threadPerConnection)
    {
        _threads = threadPerConnection;
        _ = Task.Run(AcceptLoopAsync);
    }

    public int Port => Loopback.Port(_listener);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptAsync(_stop.Token);
                connection.NoDelay = true;
                if (_threads)
                {
                    new Thread(() => EchoBlocking(connection)) { IsBackground = true, Name = "echo" }.Start();
                }
                else
                {
                    _ = EchoAsync(connection);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static void EchoBlocking(Socket connection)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = connection.Receive(buffer)) > 0)
            {
                connection.Send(buffer.AsSpan(0, n));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            connection.Dispose();
        }
    }

    private async Task EchoAsync(Socket connection)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                await connection.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }

            connection.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }
}
