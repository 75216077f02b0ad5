using System.Buffers;
using System.Globalization;
using System.Text;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;
using Gateway.Engine.Scheduling;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Sessions;

/// <summary>
/// The send side of one link: the queue in front of the WebSocket (a <see cref="FairScheduler{T}"/>
/// with one lane per local connection and a priority lane for control frames), the bounds on it,
/// the writer loop (the only writer of the WebSocket) and the pinger. Created and owned by its
/// <see cref="SessionLink"/>; it knows nothing of streams or connections beyond their lanes, and
/// reports a failure through the callback it was given.
/// </summary>
/// <remarks>
/// Bounds: DATA frames hold a slot of their connection's lane (<see cref="ConnectionQueueCapacity"/>)
/// and one of the link's (<see cref="DataQueueCapacity"/>), so a local reader waits when the tunnel is
/// behind. Every other frame (pings, pongs, the messages we originate) counts against
/// <see cref="ControlQueueCapacity"/>; those are never dropped one by one, so beyond the bound the
/// link ends (<see cref="LinkEndKind.ControlQueueFull"/>, with an error line), nothing but the close
/// is queued any more, and everything starts over on a new connection. The close frame is the one frame outside every bound: it is queued once,
/// as the link ends.
/// </remarks>
internal sealed class TunnelWriter : ITunnelSender
{
    /// <summary>DATA frames queued toward the WebSocket per link; readers wait beyond that (bounded memory).</summary>
    public const int DataQueueCapacity = 16;

    /// <summary>DATA frames one connection may have queued; its reader waits beyond that, alone.</summary>
    public const int ConnectionQueueCapacity = 4;

    /// <summary>
    /// Frames other than DATA and the close that may be queued at once. Far beyond what the protocol
    /// needs (a ping per period, a pong per ping received, a start and a reset or two per
    /// connection): reaching it means the service sends what needs an answer but does not take the
    /// answers. At most about 1 MiB of small frames.
    /// </summary>
    public const int ControlQueueCapacity = 8192;

    private readonly TunnelSession _session;
    private readonly TunnelWebSocket _socket;
    private readonly SessionLog _log;
    private readonly Throttle? _toTunnel;
    private readonly Action<LinkEnd> _end;
    private readonly int _controlCapacity;
    private readonly TimeSpan _pingPeriod;
    private readonly FairScheduler<OutboundFrame> _outbound;
    private readonly SemaphoreSlim _dataSlots = new(DataQueueCapacity, DataQueueCapacity);
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _dataStopped;
    private int _controlQueued;
    private int _controlOverflowed;

    /// <param name="session">The session: its log, its cap toward the tunnel, its counters, its settings.</param>
    /// <param name="socket">The link's WebSocket; this writer is its only sender.</param>
    /// <param name="end">Ends the link: called once a send fails or the control bound is reached (never under a caller's lock).</param>
    /// <param name="controlQueueCapacity">The bound on control frames; tests make it small.</param>
    public TunnelWriter(TunnelSession session, TunnelWebSocket socket, Action<LinkEnd> end, int controlQueueCapacity = ControlQueueCapacity)
    {
        _session = session;
        _socket = socket;
        _log = session.Log;
        _toTunnel = session.ToTunnelThrottle;
        _end = end;
        _controlCapacity = controlQueueCapacity;
        var settings = session.Spec.Spec.Settings;
        _pingPeriod = TimeSpan.FromMilliseconds(settings.PingPeriodMs);
        // One lane per connection, taking turns frame by frame (deficit round-robin): an
        // interactive connection waits behind about one frame per other busy connection.
        // The quantum is one of this session's frames: under a cap they are small (20 ms of the
        // cap), and a turn of a bulk lane must not be several of them.
        int frame = LocalConnection.PayloadSize(settings.MaxPayloadSize, session.ToTunnelThrottle?.BytesPerSecond, null);
        _outbound = new FairScheduler<OutboundFrame>(quantum: DataFrameEncoder.BufferSize(frame));
    }

    /// <summary>Frames other than DATA and the close queued or being sent now.</summary>
    public int ControlQueued => Volatile.Read(ref _controlQueued);

    /// <summary>A lane of its own for a connection (V3: one per connection id).</summary>
    public static FairScheduler<OutboundFrame>.Lane CreateLane() => new(ConnectionQueueCapacity);

    FairScheduler<OutboundFrame>.Lane ITunnelSender.NewLane() => CreateLane();

    /// <summary>
    /// Waits for room for one DATA frame: first in the connection's own lane (a busy connection
    /// waits here, alone), then in the link's bound.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WaitForDataSlotAsync(FairScheduler<OutboundFrame>.Lane lane, CancellationToken cancellationToken)
    {
        await lane.Slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _dataSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lane.Slots.Release();
            throw;
        }
    }

    public void ReleaseDataSlot(FairScheduler<OutboundFrame>.Lane lane)
    {
        _dataSlots.Release();
        lane.Slots.Release();
    }

    /// <summary>Queues a DATA frame built by a connection's read loop. False when the link is ending (the caller keeps the buffer and the slot).</summary>
    public bool EnqueueData(FairScheduler<OutboundFrame>.Lane lane, byte[] buffer, int offset, int length, int payloadBytes)
    {
        if (_dataStopped || !_outbound.TryEnqueue(lane, new OutboundFrame(WebSocketOpcode.Binary, buffer, offset, length, Pooled: true, SlotLane: lane)))
        {
            return false;
        }

        _session.AddBytesToTunnel(payloadBytes);
        return true;
    }

    /// <summary>The link is ending: DATA is refused from now on; control frames and the close still go.</summary>
    public void StopData() => _dataStopped = true;

    /// <summary>
    /// Queues one tunnel message as its own WebSocket message (never coalesced; docs/protocol.md section 18).
    /// With a <paramref name="lane"/> it goes after that connection's queued data (a start before
    /// its data, a reset after it); without, in the priority lane. False if refused (the link is
    /// ending, or ends now because the control bound is reached).
    /// </summary>
    public bool EnqueueMessage(Message message, FairScheduler<OutboundFrame>.Lane? lane = null)
    {
        var buffer = new byte[TunnelWebSocket.MaxHeaderSize + FrameWriter.GetFrameLength(message)];
        int length = FrameWriter.Write(message, buffer.AsSpan(TunnelWebSocket.MaxHeaderSize));
        return TryEnqueueControl(lane, new OutboundFrame(WebSocketOpcode.Binary, buffer, TunnelWebSocket.MaxHeaderSize, length, Pooled: false, SlotLane: null));
    }

    /// <summary>Queues a ping, pong or close in the priority lane. The close is outside the control bound.</summary>
    public bool EnqueueControl(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[TunnelWebSocket.MaxHeaderSize + payload.Length];
        payload.CopyTo(buffer.AsSpan(TunnelWebSocket.MaxHeaderSize));
        var frame = new OutboundFrame(opcode, buffer, TunnelWebSocket.MaxHeaderSize, payload.Length, Pooled: false, SlotLane: null);
        return opcode == WebSocketOpcode.Close ? _outbound.TryEnqueuePriority(frame) : TryEnqueueControl(null, frame);
    }

    /// <summary>No more frames are accepted; the writer loop still sends what is queued.</summary>
    public void Complete() => _outbound.Complete();

    /// <summary>Cancels a send in progress and ends the writer loop (after the close had its chance).</summary>
    public void CancelSends() => _stop.Cancel();

    /// <summary>Once the writer loop has ended: gives back the buffers and slots of frames never sent.</summary>
    public void DropQueued()
    {
        while (_outbound.TryDequeue(out var frame))
        {
            Release(frame);
        }
    }

    private bool TryEnqueueControl(FairScheduler<OutboundFrame>.Lane? lane, in OutboundFrame frame)
    {
        // Once past the bound nothing but the close is taken, even with room again: a reset must
        // not follow a start that was refused.
        if (Volatile.Read(ref _controlOverflowed) != 0)
        {
            return false;
        }

        if (Interlocked.Increment(ref _controlQueued) > _controlCapacity)
        {
            Interlocked.Decrement(ref _controlQueued);
            OnControlQueueFull();
            return false;
        }

        if (!_outbound.TryEnqueue(lane, frame))
        {
            Interlocked.Decrement(ref _controlQueued);
            return false;
        }

        return true;
    }

    private void OnControlQueueFull()
    {
        if (Interlocked.Exchange(ref _controlOverflowed, 1) != 0)
        {
            return;
        }

        // From here the link is ending: no DATA either (a connection whose start was refused must not send).
        _dataStopped = true;
        string why = $"the service does not take what we send: {_controlCapacity} control frames (pings, pongs, stream starts and resets) are queued";
        _log.Error(SessionLogEvents.ControlQueueFull, why + "; ending the connection");
        // Callers may hold the link's lock (a start or reset is queued under it): end from elsewhere.
        ThreadPool.QueueUserWorkItem(static state => state.Writer._end(new LinkEnd(LinkEndKind.ControlQueueFull, state.Why)), (Writer: this, Why: why), preferLocal: false);
    }

    private void Release(in OutboundFrame frame)
    {
        if (frame.Pooled)
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }

        if (frame.SlotLane is { } lane)
        {
            ReleaseDataSlot(lane);
        }
        else if (frame.Opcode != WebSocketOpcode.Close)
        {
            Interlocked.Decrement(ref _controlQueued);
        }
    }

    /// <summary>The writer loop: the only writer of the WebSocket. Ends when the queue is completed and empty, or on a failed send.</summary>
    public async Task RunAsync()
    {
        var queue = _outbound;

        // The wait reuses the scheduler's waiter (no allocation per wait); a stop completes the
        // queue instead, and the token still cancels a send in progress.
        using var stop = _stop.Token.Register(static state => ((TunnelWriter)state!)._outbound.Complete(), this);
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (queue.TryDequeue(out var frame))
                {
                    try
                    {
                        // The session's cap applies to DATA (frames holding a slot), after the fair
                        // choice: a capped session still interleaves its connections.
                        if (_toTunnel is { } throttle && frame.SlotLane is not null)
                        {
                            var take = throttle.TakeAsync(frame.Length, _stop.Token);
                            if (!take.IsCompletedSuccessfully)
                            {
                                // Waiting for the cap is idle time: what is gathered below TLS goes
                                // out first. Else a capped bulk connection, whose queue is never
                                // empty, would hold every other frame until 128 KiB had gathered
                                // (at 760 KB/s, 170 ms in front of an interactive frame).
                                await _socket.FlushAsync(_stop.Token).ConfigureAwait(false);
                                await take.ConfigureAwait(false);
                            }
                        }

                        await _socket.SendAsync(frame.Opcode, frame.Buffer, frame.Offset, frame.Length, _stop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Release(frame);
                    }

                    // Frames gather below TLS while more are queued; the last of a burst sends them.
                    if (queue.IsEmpty)
                    {
                        await _socket.FlushAsync(_stop.Token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or NotSupportedException)
        {
            if (ex is not OperationCanceledException)
            {
                _end(new LinkEnd(LinkEndKind.Dropped, "sending to the service failed: " + (ex.InnerException?.Message ?? ex.Message)));
            }
        }
    }

    /// <summary>Queues a ping every <c>websocket.ping_period_ms</c>, the first at once, until <paramref name="stop"/>.</summary>
    public async Task PingLoopAsync(CancellationToken stop)
    {
        var time = _session.Time;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Payload: Unix time in milliseconds as ASCII decimal, like the reference (docs/protocol.md section 4).
                // SessionLink's OnPong reads the round trip back from it.
                string now = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                EnqueueControl(WebSocketOpcode.Ping, Encoding.ASCII.GetBytes(now));
                await Task.Delay(_pingPeriod, time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
