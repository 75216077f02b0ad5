using System.IO.Pipelines;
using System.Net.Sockets;

namespace Gateway.Engine.Transport;

/// <summary>
/// The client side of RFC 6455, written for this protocol: our own framing rather than
/// System.Net.WebSockets because the reference's keepalive needs pings with a chosen payload and
/// the pong's payload back (docs/protocol.md section 4), neither of which ManagedWebSocket exposes.
/// One sender (the session's writer loop) and one receiver at a time.
/// </summary>
internal sealed partial class TunnelWebSocket : IAsyncDisposable
{
    /// <summary>Room a caller leaves in front of a payload for the frame header (2 + 8 + 4 mask).</summary>
    public const int MaxHeaderSize = 14;

    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly Socket _socket;
    private int _disposed;

    public TunnelWebSocket(Socket socket, Stream stream, PipeReader input, string subprotocol, string? channelId)
    {
        _socket = socket;
        _stream = stream;
        _input = input;
        Subprotocol = subprotocol;
        ChannelId = channelId;
    }

    public string Subprotocol { get; }

    /// <summary>The service's <c>channel-id</c> for this connection (logged, shown in status).</summary>
    public string? ChannelId { get; }

    /// <summary>Drops the TCP connection at once (no close frame); pending reads and writes fail.</summary>
    public void Abort()
    {
        try
        {
            _socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Abort();
        await _input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }
    }
}
