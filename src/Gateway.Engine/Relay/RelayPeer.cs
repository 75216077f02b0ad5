using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Relay;

/// <summary>
/// One proxy's WebSocket to the relay. A receive loop validates and forwards whole WebSocket
/// messages to the other end; a send loop is the only writer of this socket. The outbound queue
/// is bounded for data (a slow peer makes the sender wait, so memory stays flat); control frames
/// the relay generates itself (SERVICE_IDS, STREAM_RESET) skip the bound, there are few of them.
/// </summary>
internal sealed partial class RelayPeer
{
    private readonly WebSocket _socket;
    private readonly RelayTunnel _tunnel;
    private readonly RelayOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Outbound> _outbound;
    private readonly SemaphoreSlim _dataSlots;

    // The peer a ForwardAsync on this thread is writing to: its send loop may run inline.
    [ThreadStatic]
    private static RelayPeer? _forwardingTo;
    private readonly CancellationTokenSource _abort = new();
    private int _closeRequested;
    private WebSocketCloseStatus _closeStatus;
    private string? _closeReason;

    public RelayPeer(RelayAdmission admission, WebSocket socket, RelayOptions options, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _tunnel = admission.Tunnel;
        _options = options;
        _time = time;
        _logger = logger;
        End = admission.End;
        ChannelId = admission.ChannelId;
        RemoteAddress = admission.RemoteAddress;
        ConnectedAt = time.GetUtcNow();
        // Synchronous continuations: a forwarded message wakes this peer's waiting send loop on the
        // forwarding thread, so it is sent without a hop to the thread pool (see SendLoopAsync).
        _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
        _dataSlots = new SemaphoreSlim(options.OutboundQueueCapacity, int.MaxValue);
    }

    public TunnelEnd End { get; }

    public string ChannelId { get; }

    public string? RemoteAddress { get; }

    public DateTimeOffset ConnectedAt { get; }

    private string TunnelId => _tunnel.Id;

    /// <summary>Queues a frame the relay generated; never waits.</summary>
    public void EnqueueControl(byte[] frame) => _outbound.Writer.TryWrite(new Outbound(frame, frame.Length, Pooled: false));

    /// <summary>
    /// Hands a received message (a pooled buffer) to this peer's writer. Waits while this peer's
    /// queue is full. Returns false when the peer is closing; the caller still owns the buffer.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ForwardAsync(byte[] buffer, int length, CancellationToken cancellationToken)
    {
        await _dataSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var previous = _forwardingTo;
        _forwardingTo = this;
        bool written;
        try
        {
            written = _outbound.Writer.TryWrite(new Outbound(buffer, length, Pooled: true));
        }
        finally
        {
            _forwardingTo = previous;
        }

        if (written)
        {
            return true;
        }

        _dataSlots.Release();
        return false;
    }

    /// <summary>
    /// Asks the send loop to finish what is queued and send a close frame. The first request wins.
    /// </summary>
    public void RequestClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeReason = reason;
        _outbound.Writer.TryComplete();

        // Wake anyone waiting for a data slot: the writer is gone, TryWrite now fails.
        _dataSlots.Release(_options.OutboundQueueCapacity);
    }

    /// <summary>Drops the connection without a close frame (peers reconnect after this).</summary>
    public void Abort()
    {
        _outbound.Writer.TryComplete();
        _dataSlots.Release(_options.OutboundQueueCapacity);
        try
        {
            _abort.Cancel();
            _socket.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The connection finished on its own meanwhile.
        }
    }

    /// <summary>Runs both loops until the connection is over, then releases everything it holds.</summary>
    public async Task RunAsync(CancellationToken hostToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(hostToken, _abort.Token);
        var receive = ReceiveLoopAsync(linked.Token);
        var send = SendLoopAsync(linked.Token);
        try
        {
            await Task.WhenAny(receive, send).ConfigureAwait(false);
            if (receive.IsCompleted && Volatile.Read(ref _closeRequested) == 0)
            {
                // The peer went away or closed first: finish our side of the close handshake.
                RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty);
            }

            // An I/O timeout, on the real clock even when tests fake business time.
            await Task.WhenAll(receive, send).WaitAsync(_options.CloseTimeout, CancellationToken.None).ConfigureAwait(false);

            // The receive loop stopped before our close frame went out (a violation): read until
            // the peer answers it, so the frame is delivered instead of lost in a reset.
            if (_socket.State == WebSocketState.CloseSent)
            {
                await DrainUntilCloseAsync().ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            Log.CloseTimedOut(_logger, TunnelId, End, ChannelId);
        }
        finally
        {
            _tunnel.Detach(this);
            await _abort.CancelAsync().ConfigureAwait(false);
            _socket.Abort();
            await Task.WhenAll(receive, send).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            DrainQueue();
            _socket.Dispose();
            _abort.Dispose();
        }
    }

    private async Task DrainUntilCloseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.CloseTimeout);
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while ((await _socket.ReceiveAsync(scratch.AsMemory(), timeout.Token).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            Log.PeerGone(_logger, TunnelId, End, ChannelId, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void DrainQueue()
    {
        _outbound.Writer.TryComplete();
        while (_outbound.Reader.TryRead(out var item))
        {
            if (item.Pooled)
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
            }
        }
    }

    private readonly record struct Outbound(byte[] Buffer, int Length, bool Pooled);
}
