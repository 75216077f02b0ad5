using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Sessions;

/// <summary>
/// One WebSocket connection of a session, from the 101 to its end. Four loops: the receive loop
/// (WebSocket frames -> a byte pipe), the <see cref="FrameDispatcher"/> (tunnel frames out of that
/// pipe -> local connections), and the writer and the pinger of its <see cref="TunnelWriter"/>
/// (the send side). Its streams and connections are in its <see cref="StreamTable"/>; what the two
/// ends do differently is its <see cref="ILinkSide"/>. The first failure ends the link once, with a
/// reason; a new connection gets a new link (all stream and connection state starts over, as in
/// the reference).
/// </summary>
internal sealed class SessionLink : IWebSocketControlHandler, IConnectionOwner
{
    private const int SegmentSize = 64 * 1024;

    private static readonly TimeSpan CloseFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly TunnelSession _session;
    private readonly TunnelWebSocket _socket;
    private readonly ValidatedSpec _spec;
    private readonly ProxySettings _settings;
    private readonly SessionLog _log;
    private readonly TimeProvider _time;
    private readonly TunnelWriter _writer;
    private readonly Pipe _tunnelBytes;
    private readonly PipeOptions _connectionPipeOptions;
    private readonly CancellationTokenSource _readStop = new();
    private readonly StreamTable _table;
    private readonly SourceSide? _source;
    private readonly FrameDispatcher _dispatcher;
    private LinkEnd? _end;

    public SessionLink(TunnelSession session, TunnelWebSocket socket)
    {
        _session = session;
        _socket = socket;
        _spec = session.Spec;
        _settings = _spec.Spec.Settings;
        _log = session.Log;
        _time = session.Time;
        bool isSource = _spec.Spec.Mode == SessionMode.Source;
        _table = new StreamTable(isSource ? _spec.Spec.MessageFormat : MessageFormat.V3, isSource, _log);
        _writer = new TunnelWriter(session, socket, End);
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
        ILinkSide side = isSource ? _source = new SourceSide(this) : new DestinationSide(this);
        _dispatcher = new FrameDispatcher(session, _table, _writer, side, End);
    }

    public TunnelSession Session => _session;

    public StreamTable Table => _table;

    public TunnelWriter Writer => _writer;

    public string? ChannelId => _socket.ChannelId;

    public MessageFormat Format => _table.Format;

    int IConnectionOwner.MaxPayloadSize => _settings.MaxPayloadSize;

    long? IConnectionOwner.TunnelBytesPerSecond => _session.ToTunnelThrottle?.BytesPerSecond;

    int IConnectionOwner.ConnectionBytesPerSecond => _settings.ConnectionBandwidth;

    TimeProvider IConnectionOwner.Time => _time;

    void IConnectionOwner.AddThrottledWait(TimeSpan waited) => _session.AddConnectionThrottled(waited);

    public async Task<LinkEnd> RunAsync(CancellationToken stop)
    {
        using var registration = stop.Register(() => End(new LinkEnd(LinkEndKind.Stopped, "stopped by the user")));
        var writer = _writer.RunAsync();
        var dispatcher = _dispatcher.RunAsync(_tunnelBytes.Reader, _readStop.Token);
        var pinger = _writer.PingLoopAsync(_readStop.Token);
        var received = await _socket.ReceiveLoopAsync(_tunnelBytes.Writer, this, _readStop.Token).ConfigureAwait(false);
        await _tunnelBytes.Writer.CompleteAsync().ConfigureAwait(false);
        switch (received.Kind)
        {
            case ReceiveEndKind.CloseReceived:
                // Deliver what arrived before the close frame, then answer it.
                await WaitBoundedAsync(dispatcher, CloseFlushTimeout).ConfigureAwait(false);
                if (Interlocked.CompareExchange(ref _end, new LinkEnd(LinkEndKind.Closed, received.Message, received.CloseCode, received.CloseReason), null) is null)
                {
                    _writer.StopData();
                }

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
        _table.IsReady = false;
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
            _writer.EnqueueControl(WebSocketOpcode.Close, close);
        }

        _writer.Complete();
        await WaitBoundedAsync(writer, CloseFlushTimeout).ConfigureAwait(false);
        _writer.CancelSends();
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
            _writer.StopData();
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
        var connections = _table.TakeAll();
        foreach (var connection in connections)
        {
            if (graceful)
            {
                connection.CloseGracefully();
            }
            else
            {
                connection.Abort();
                connection.CompleteWriter();
            }
        }

        _table.DrainRetired();
        _writer.DropQueued();

        if (graceful && connections.Count > 0)
        {
            await WaitBoundedAsync(Task.WhenAll(connections.Select(c => c.Completion)), CloseFlushTimeout).ConfigureAwait(false);
            foreach (var connection in connections)
            {
                connection.Abort();
            }
        }
    }

    /// <summary>A new local connection of this link (not yet in the table).</summary>
    public LocalConnection NewConnection(ServiceChannel channel, uint id, int streamId, string? wireServiceId, uint wireConnectionId) =>
        new(this, _writer, channel, id, streamId, wireServiceId, wireConnectionId, _time.GetUtcNow(), _connectionPipeOptions);

    /// <summary>True when <c>limits.max_session_connections</c> is set and reached. Caller holds the table's lock.</summary>
    public bool SessionConnectionsFull(out int open)
    {
        int max = _settings.MaxSessionConnections;
        open = max > 0 ? _table.CountConnections() : 0;
        return max > 0 && open >= max;
    }

    /// <summary>A local client connected to one of the session's listeners (source only).</summary>
    public void OnAccepted(SourceListener listener, Socket socket)
    {
        if (_source is null)
        {
            socket.Dispose();
            return;
        }

        _source.Accept(listener, socket);
    }

    /// <summary>A connection's local read side ended (EOF or error).</summary>
    public void OnLocalReadEnded(LocalConnection connection, string? error)
    {
        if (!connection.Abort())
        {
            // Closed by the tunnel or by us: the peer knows already.
            return;
        }

        ReportLocalEnd(connection, error is null ? "closed by the local side" : "local error: " + error);
    }

    /// <summary>Resets one connection at the user's request; sends its CONNECTION_RESET (or STREAM_RESET in V1/V2).</summary>
    public bool ResetConnection(string key)
    {
        if (_table.FindByKey(key) is not { } connection)
        {
            return false;
        }

        if (connection.Abort())
        {
            ReportLocalEnd(connection, "reset by the user");
        }

        return true;
    }

    public IReadOnlyList<ServiceSnapshot> SnapshotServices() => _table.Snapshot();

    private void ReportLocalEnd(LocalConnection connection, string why)
    {
        var channel = connection.Service;
        using (_table.EnterScope())
        {
            channel.Connections.TryRemove(new(connection.Id, connection));
            if (!HasEnded)
            {
                if (connection.WireConnectionId != 0)
                {
                    _writer.EnqueueMessage(TunnelMessages.ConnectionReset(connection.StreamId, connection.WireServiceIdText, connection.WireConnectionId), connection.Lane);
                }
                else if (channel.CurrentStreamId == connection.StreamId)
                {
                    // V1/V2 (and V2-style peers): the connection is the stream.
                    _writer.EnqueueMessage(TunnelMessages.StreamReset(connection.StreamId, connection.WireServiceIdText), connection.Lane);
                    channel.CurrentStreamId = 0;
                    channel.StreamAlive = false;
                }
            }
        }

        _table.Retire(connection);
        _log.Debug(SessionLogEvents.LocalConnectionEnded, $"connection {connection.Key} ended: {why}");
        _session.NotifyChanged();
    }

    void IWebSocketControlHandler.OnPing(ReadOnlySpan<byte> payload) => _writer.EnqueueControl(WebSocketOpcode.Pong, payload);

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
            _log.Debug(SessionLogEvents.PongIgnored, $"ignored a pong whose payload is not a timestamp ({payload.Length} bytes)");
        }
    }

    void IWebSocketControlHandler.OnReceivePaused(bool paused) => _session.SetReceivePaused(paused);
}
