using System.Net.Sockets;

namespace Gateway.Engine.Transport;

/// <summary>
/// Keeps the kernel's queue in front of a WebSocket short without capping throughput. SO_SNDBUF
/// would bound the bytes in flight too (a window: a long link would crawl), so it stays
/// autotuned; TCP_NOTSENT_LOWAT (Linux) bounds only the bytes written but not yet sent, so a
/// writer waits in our own fair queue, where an interactive frame can still pass a bulk one,
/// rather than behind megabytes already handed to the kernel (docs/performance.md, figure 9).
/// </summary>
public static class SocketTuning
{
    /// <summary>Bytes a socket may hold unsent: two full DATA messages.</summary>
    internal const int UnsentLowWatermark = 128 * 1024;

    private const int IpProtoTcp = 6;
    private const int TcpNotSentLowat = 25;

    /// <summary>
    /// Sets SO_RCVBUF to <paramref name="bytes"/> (0: leave the kernel's autotuning). The receive
    /// buffer is a queue in front of every frame behind it, and the window a sender gets.
    /// </summary>
    public static void PinReceiveBuffer(Socket? socket, int bytes)
    {
        if (socket is null || bytes <= 0)
        {
            return;
        }

        try
        {
            socket.ReceiveBufferSize = bytes;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Sets TCP_NOTSENT_LOWAT on a TCP socket (Linux; elsewhere, or on failure, nothing changes).</summary>
    public static void LimitUnsentBytes(Socket? socket)
    {
        if (socket is null || !OperatingSystem.IsLinux() || socket.ProtocolType != ProtocolType.Tcp)
        {
            return;
        }

        try
        {
            Span<byte> value = stackalloc byte[sizeof(int)];
            BitConverter.TryWriteBytes(value, UnsentLowWatermark);
            socket.SetRawSocketOption(IpProtoTcp, TcpNotSentLowat, value);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
        }
    }
}
