using System.Buffers;
using System.Net.WebSockets;
using Gateway.Engine.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Relay;

/// <summary>
/// One proxy's WebSocket to the relay. A receive loop validates and forwards whole WebSocket
/// messages to the other end; a send loop is the only writer of this socket. The outbound queue
/// has a lane per connection (deficit round-robin, <see cref="FairScheduler{T}"/>): a message of
/// an interactive connection waits behind about one message per other busy connection. It is
/// bounded per lane and in all (a slow peer makes the sender wait, so memory stays flat); control
/// frames the relay generates itself (SERVICE_IDS, STREAM_RESET) go in the priority lane and skip
/// the bound, there are few of them. With <see cref="RelayOptions.TunnelBandwidthLimit"/> the send
/// loop takes each message's bytes from a token bucket first.
/// </summary>
internal sealed partial class RelayPeer
{
    private readonly WebSocket _socket;
    private readonly RelayTunnel _tunnel;
    private readonly RelayOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    /// <summary>Messages one connection may have queued toward this peer.</summary>
    public const int LaneCapacity = 4;

    // Lanes kept for idle connections before idle ones are dropped (they are cheap to make again).
    private const int IdleLanesKept = 64;

    private readonly FairScheduler<Outbound> _outbound;
    private readonly SemaphoreSlim _dataSlots;
    private readonly Dictionary<RelayLaneKey, FairScheduler<Outbound>.Lane> _lanes = [];
    private readonly Lock _lanesGate = new();
    private readonly Throttle? _throttle;

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
        // The quantum is about one message; under a cap, 20 ms of it (a turn of a bulk lane then
        // costs another lane at most that long).
        int quantum = options.TunnelBandwidthLimit > 0 ? (int)Math.Clamp(options.TunnelBandwidthLimit / 50, 4096, options.MaxMessageSize) : options.MaxMessageSize;
        _outbound = new FairScheduler<Outbound>(quantum, runContinuationsAsynchronously: false);
        _dataSlots = new SemaphoreSlim(options.OutboundQueueCapacity, int.MaxValue);
        _throttle = options.TunnelBandwidthLimit is > 0 and var limit ? new Throttle(limit, options.MaxMessageSize, time) : null;
    }

    public TunnelEnd End { get; }

    public string ChannelId { get; }

    public string? RemoteAddress { get; }

    public DateTimeOffset ConnectedAt { get; }

    private string TunnelId => _tunnel.Id;

    /// <summary>Time this peer's send loop waited for the per-tunnel bandwidth cap.</summary>
    public TimeSpan Throttled => _throttle?.Throttled ?? TimeSpan.Zero;

    /// <summary>Queues a frame the relay generated; never waits.</summary>
    public void EnqueueControl(byte[] frame) => _outbound.TryEnqueuePriority(new Outbound(frame, frame.Length, Pooled: false, null, 0));

    /// <summary>
    /// Hands a received message (a pooled buffer) to this peer's writer, in the lane of the
    /// connection its frames belong to. Waits while that lane, or this peer's whole queue, is full.
    /// A message that orders against every connection (a stream or session reset, frames of
    /// several connections) first waits until everything queued before it is sent and holds the
    /// whole queue until it is, so nothing overtakes it either way. Returns false when the peer is
    /// closing; the caller still owns the buffer.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ForwardAsync(byte[] buffer, int length, RelayRoute route, CancellationToken cancellationToken)
    {
        FairScheduler<Outbound>.Lane? lane = null;
        int slots = route.Barrier ? _options.OutboundQueueCapacity : 1;
        if (!route.Barrier)
        {
            lane = LaneFor(route.Key);
            await lane.Slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        int held = 0;
        try
        {
            for (; held < slots; held++)
            {
                await _dataSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            if (held > 0)
            {
                _dataSlots.Release(held);
            }

            lane?.Slots.Release();
            throw;
        }

        var previous = _forwardingTo;
        _forwardingTo = this;
        bool written;
        try
        {
            written = _outbound.TryEnqueue(lane, new Outbound(buffer, length, Pooled: true, lane, slots));
        }
        finally
        {
            _forwardingTo = previous;
        }

        if (written)
        {
            return true;
        }

        _dataSlots.Release(slots);
        lane?.Slots.Release();
        return false;
    }

    private FairScheduler<Outbound>.Lane LaneFor(RelayLaneKey key)
    {
        lock (_lanesGate)
        {
            if (_lanes.TryGetValue(key, out var lane))
            {
                return lane;
            }

            if (_lanes.Count >= IdleLanesKept)
            {
                // Forget lanes with nothing queued (every slot back): their connections are idle or gone.
                foreach (var (oldKey, old) in _lanes)
                {
                    if (old.Slots.CurrentCount == LaneCapacity)
                    {
                        _lanes.Remove(oldKey);
                    }
                }
            }

            lane = new FairScheduler<Outbound>.Lane(LaneCapacity);
            _lanes[key] = lane;
            return lane;
        }
    }

    private void ReleaseSlots(in Outbound item)
    {
        if (item.Slots > 0)
        {
            _dataSlots.Release(item.Slots);
        }

        item.SlotLane?.Slots.Release();
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
        _outbound.Complete();

        // Wake anyone waiting for a data slot: the writer is gone, TryWrite now fails.
        _dataSlots.Release(_options.OutboundQueueCapacity);
    }

    /// <summary>Drops the connection without a close frame (peers reconnect after this).</summary>
    public void Abort()
    {
        _outbound.Complete();
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
            _throttle?.Dispose();
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
        _outbound.Complete();
        while (_outbound.TryDequeue(out var item))
        {
            if (item.Pooled)
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
            }

            // Wakes a forwarder waiting for this lane: it finds the queue completed.
            ReleaseSlots(item);
        }
    }

    /// <summary>One queued WebSocket message; forwarded ones hold <see cref="Slots"/> of the queue and one of <see cref="SlotLane"/>.</summary>
    private readonly record struct Outbound(byte[] Buffer, int Length, bool Pooled, FairScheduler<Outbound>.Lane? SlotLane, int Slots) : IFairItem
    {
        public int Size => Length;
    }
}
