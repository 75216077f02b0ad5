using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;
using Gateway.Engine.Scheduling;
using Gateway.Engine.Settings;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Sessions;

/// <summary>
/// One WebSocket connection of a session, from the 101 to its end. Four loops: the receive loop
/// (WebSocket frames -> a byte pipe), the dispatcher (tunnel frames out of that pipe -> local
/// connections), the writer (the only writer of the WebSocket) and the pinger. The first failure
/// ends the link once, with a reason; a new connection gets a new link (all stream and connection
/// state starts over, as in the reference).
/// </summary>
internal sealed partial class SessionLink : IWebSocketControlHandler
{
    /// <summary>DATA frames queued toward the WebSocket per session; readers wait beyond that (bounded memory).</summary>
    public const int DataQueueCapacity = 16;

    /// <summary>DATA frames one connection may have queued; its reader waits beyond that, alone.</summary>
    public const int ConnectionQueueCapacity = 4;

    private const int SegmentSize = 64 * 1024;

    private static readonly TimeSpan CloseFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly TunnelSession _session;
    private readonly TunnelWebSocket _socket;
    private readonly ValidatedSpec _spec;
    private readonly ProxySettings _settings;
    private readonly SessionLog _log;
    private readonly TimeProvider _time;
    private readonly FairScheduler<OutboundFrame> _outbound;
    private readonly SemaphoreSlim _dataSlots = new(DataQueueCapacity, DataQueueCapacity);
    private readonly Pipe _tunnelBytes;
    private readonly PipeOptions _connectionPipeOptions;
    private readonly CancellationTokenSource _readStop = new();
    private readonly CancellationTokenSource _writeStop = new();
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<LocalConnection> _retired = new();
    private readonly Throttle? _toTunnel;
    private readonly Throttle? _fromTunnel;
    private List<ServiceChannel> _channels = [];
    private LinkEnd? _end;
    private volatile bool _ready;
    private MessageFormat _format;

    public SessionLink(TunnelSession session, TunnelWebSocket socket)
    {
        _session = session;
        _socket = socket;
        _spec = session.Spec;
        _settings = _spec.Spec.Settings;
        _log = session.Log;
        _time = session.Time;
        _format = _spec.Spec.Mode == SessionMode.Source ? _spec.Spec.MessageFormat : MessageFormat.V3;
        _toTunnel = session.ToTunnelThrottle;
        _fromTunnel = session.FromTunnelThrottle;
        // One lane per connection, taking turns frame by frame (deficit round-robin): an
        // interactive connection waits behind about one frame per other busy connection.
        // The quantum is one of this session's frames: under a cap they are small (20 ms of the
        // cap), and a turn of a bulk lane must not be several of them.
        int frame = LocalConnection.PayloadSize(_settings.MaxPayloadSize, session.ToTunnelThrottle?.BytesPerSecond, null);
        _outbound = new FairScheduler<OutboundFrame>(quantum: DataFrameEncoder.BufferSize(frame));
        // Segments of 64 KiB: a whole DATA payload is one or two segments, so it reaches the local
        // socket in one or two sends rather than sixteen (the pipes' default is 4 KiB). Segments
        // go back to the pool once consumed; an idle connection holds none.
        // Readers run inline when their writer flushes: the dispatcher on the receive loop's thread,
        // a connection's socket write on the dispatcher's. One thread carries a frame from the
        // WebSocket to the local socket instead of two thread-pool hops (docs/performance.md).
        long readBuffer = Math.Max(_settings.WebSocketReadBufferSize, 2 * FrameReader.MaxFrameBodyLength);
        _tunnelBytes = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, pauseWriterThreshold: readBuffer, resumeWriterThreshold: readBuffer / 2, minimumSegmentSize: SegmentSize, useSynchronizationContext: false));
        long writeBuffer = _settings.TcpWriteBufferSize;
        _connectionPipeOptions = new PipeOptions(readerScheduler: PipeScheduler.Inline, pauseWriterThreshold: writeBuffer, resumeWriterThreshold: writeBuffer / 2, minimumSegmentSize: SegmentSize, useSynchronizationContext: false);
    }

    public int MaxPayloadSize => _settings.MaxPayloadSize;

    public TunnelSession Session => _session;

    public string? ChannelId => _socket.ChannelId;

    public MessageFormat Format => _format;

    public bool IsSource => _spec.Spec.Mode == SessionMode.Source;

    public async Task<LinkEnd> RunAsync(CancellationToken stop)
    {
        using var registration = stop.Register(() => End(new LinkEnd(LinkEndKind.Stopped, "stopped by the user")));
        var writer = WriteLoopAsync();
        var dispatcher = DispatchLoopAsync();
        var pinger = PingLoopAsync();
        var received = await _socket.ReceiveLoopAsync(_tunnelBytes.Writer, this, _readStop.Token).ConfigureAwait(false);
        await _tunnelBytes.Writer.CompleteAsync().ConfigureAwait(false);
        switch (received.Kind)
        {
            case ReceiveEndKind.CloseReceived:
                // Deliver what arrived before the close frame, then answer it.
                await WaitBoundedAsync(dispatcher, CloseFlushTimeout).ConfigureAwait(false);
                Interlocked.CompareExchange(ref _end, new LinkEnd(LinkEndKind.Closed, received.Message, received.CloseCode, received.CloseReason), null);
                break;
            case ReceiveEndKind.ProtocolError:
                End(new LinkEnd(LinkEndKind.ProtocolError, received.Message));
                break;
            case ReceiveEndKind.Dropped:
                End(new LinkEnd(LinkEndKind.Dropped, received.Message));
                break;
            default:
                End(new LinkEnd(LinkEndKind.Dropped, received.Message));
                break;
        }

        var end = _end!;
        _ready = false;
        _readStop.Cancel();
        var close = end.Kind switch
        {
            LinkEndKind.Closed => TunnelWebSocket.ClosePayload(end.CloseCode is null or 1005 or 1006 ? 1000 : end.CloseCode.Value, string.Empty),
            LinkEndKind.Stopped => TunnelWebSocket.ClosePayload(1000, "session stopped"),
            LinkEndKind.ConfigurationError => TunnelWebSocket.ClosePayload(1000, "local configuration does not match the tunnel"),
            LinkEndKind.PortUnavailable => TunnelWebSocket.ClosePayload(1000, "a local listen port is in use"),
            LinkEndKind.ProtocolError => TunnelWebSocket.ClosePayload(1002, "protocol error"),
            LinkEndKind.Internal => TunnelWebSocket.ClosePayload(1011, "internal error"),
            _ => null,
        };
        if (close is not null)
        {
            EnqueueControl(WebSocketOpcode.Close, close);
        }

        _outbound.Complete();
        await WaitBoundedAsync(writer, CloseFlushTimeout).ConfigureAwait(false);
        _writeStop.Cancel();
        _socket.Abort();
        await Task.WhenAll(writer, dispatcher, pinger).ConfigureAwait(false);
        await TeardownAsync(graceful: end.Kind is LinkEndKind.Stopped or LinkEndKind.Closed).ConfigureAwait(false);
        await _socket.DisposeAsync().ConfigureAwait(false);
        return end;
    }

    /// <summary>Ends the link with <paramref name="end"/> unless it already ended.</summary>
    public void End(LinkEnd end)
    {
        if (Interlocked.CompareExchange(ref _end, end, null) is null)
        {
            _readStop.Cancel();
        }
    }

    public bool HasEnded => Volatile.Read(ref _end) is not null;

    private static async Task WaitBoundedAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>
    /// Closes every local connection. Graceful (a stop or a close by the service): bytes already
    /// received for a connection are written, then FIN, bounded by <see cref="CloseFlushTimeout"/>;
    /// otherwise (or after the bound) connections are aborted.
    /// </summary>
    private async Task TeardownAsync(bool graceful)
    {
        List<ServiceChannel> channels;
        lock (_gate)
        {
            channels = _channels;
        }

        var closing = new List<LocalConnection>();
        foreach (var channel in channels)
        {
            if (channel.Listener is { } listener && ReferenceEquals(listener.Target, channel))
            {
                listener.Target = null;
            }

            foreach (var connection in channel.Connections.Values)
            {
                if (graceful)
                {
                    connection.CloseGracefully();
                    closing.Add(connection);
                }
                else
                {
                    connection.Abort();
                    connection.CompleteWriter();
                }
            }

            channel.Connections.Clear();
        }

        DrainRetired();
        while (_outbound.TryDequeue(out var frame))
        {
            Release(frame);
        }

        if (closing.Count > 0)
        {
            await WaitBoundedAsync(Task.WhenAll(closing.Select(c => c.Completion)), CloseFlushTimeout).ConfigureAwait(false);
            foreach (var connection in closing)
            {
                connection.Abort();
            }
        }
    }

    // ---- sending -------------------------------------------------------------------------

    /// <summary>A lane of its own for a connection (V3: one per connection id).</summary>
    public static FairScheduler<OutboundFrame>.Lane NewLane() => new(ConnectionQueueCapacity);

    /// <summary>
    /// Waits for room for one DATA frame: first in the connection's own lane (a busy connection
    /// waits here, alone), then in the session's bound.
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
        if (HasEnded || !_outbound.TryEnqueue(lane, new OutboundFrame(WebSocketOpcode.Binary, buffer, offset, length, Pooled: true, SlotLane: lane)))
        {
            return false;
        }

        _session.AddBytesToTunnel(payloadBytes);
        return true;
    }

    /// <summary>
    /// Queues one tunnel message as its own WebSocket message (never coalesced; docs/protocol.md section 18).
    /// With a <paramref name="lane"/> it goes after that connection's queued data (a start before
    /// its data, a reset after it); without, in the priority lane.
    /// </summary>
    public void EnqueueMessage(Message message, FairScheduler<OutboundFrame>.Lane? lane = null)
    {
        var buffer = new byte[TunnelWebSocket.MaxHeaderSize + FrameWriter.GetFrameLength(message)];
        int length = FrameWriter.Write(message, buffer.AsSpan(TunnelWebSocket.MaxHeaderSize));
        _outbound.TryEnqueue(lane, new OutboundFrame(WebSocketOpcode.Binary, buffer, TunnelWebSocket.MaxHeaderSize, length, Pooled: false, SlotLane: null));
    }

    private void EnqueueControl(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[TunnelWebSocket.MaxHeaderSize + payload.Length];
        payload.CopyTo(buffer.AsSpan(TunnelWebSocket.MaxHeaderSize));
        _outbound.TryEnqueuePriority(new OutboundFrame(opcode, buffer, TunnelWebSocket.MaxHeaderSize, payload.Length, Pooled: false, SlotLane: null));
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
    }

    private async Task WriteLoopAsync()
    {
        var queue = _outbound;

        // The wait reuses the scheduler's waiter (no allocation per wait); a stop completes the
        // queue instead, and the token still cancels a send in progress.
        using var stop = _writeStop.Token.Register(static state => ((SessionLink)state!)._outbound.Complete(), this);
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
                            var take = throttle.TakeAsync(frame.Length, _writeStop.Token);
                            if (!take.IsCompletedSuccessfully)
                            {
                                // Waiting for the cap is idle time: what is gathered below TLS goes
                                // out first. Else a capped bulk connection, whose queue is never
                                // empty, would hold every other frame until 128 KiB had gathered
                                // (at 760 KB/s, 170 ms in front of an interactive frame).
                                await _socket.FlushAsync(_writeStop.Token).ConfigureAwait(false);
                                await take.ConfigureAwait(false);
                            }
                        }

                        await _socket.SendAsync(frame.Opcode, frame.Buffer, frame.Offset, frame.Length, _writeStop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Release(frame);
                    }

                    // Frames gather below TLS while more are queued; the last of a burst sends them.
                    if (queue.IsEmpty)
                    {
                        await _socket.FlushAsync(_writeStop.Token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or NotSupportedException)
        {
            if (ex is not OperationCanceledException)
            {
                End(new LinkEnd(LinkEndKind.Dropped, "sending to the service failed: " + (ex.InnerException?.Message ?? ex.Message)));
            }
        }
    }

    // ---- keepalive -----------------------------------------------------------------------

    private async Task PingLoopAsync()
    {
        var period = TimeSpan.FromMilliseconds(_settings.PingPeriodMs);
        try
        {
            while (!_readStop.IsCancellationRequested)
            {
                // Payload: Unix time in milliseconds as ASCII decimal, like the reference (docs/protocol.md section 4).
                string now = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                EnqueueControl(WebSocketOpcode.Ping, Encoding.ASCII.GetBytes(now));
                await Task.Delay(period, _time, _readStop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    void IWebSocketControlHandler.OnPing(ReadOnlySpan<byte> payload) => EnqueueControl(WebSocketOpcode.Pong, payload);

    void IWebSocketControlHandler.OnPong(ReadOnlySpan<byte> payload)
    {
        // A pong that is not our decimal timestamp (empty, unsolicited, foreign) is ignored.
        if (payload.Length is > 0 and <= 19
            && long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out long sentAt))
        {
            long rtt = _time.GetUtcNow().ToUnixTimeMilliseconds() - sentAt;
            if (rtt >= 0)
            {
                _session.RecordRtt(rtt);
            }
        }
        else
        {
            _log.Debug($"ignored a pong whose payload is not a timestamp ({payload.Length} bytes)");
        }
    }

    void IWebSocketControlHandler.OnReceivePaused(bool paused) => _session.SetReceivePaused(paused);
}
