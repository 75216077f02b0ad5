using System.Buffers;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Engine.Sessions;

internal sealed partial class SessionLink
{
    private bool _serviceIdsReceived;

    // Reads tunnel frames out of the byte pipe the receive loop fills and acts on each. The only
    // writer of local connections' output pipes; awaiting one of them is the back-pressure.
    private async Task DispatchLoopAsync()
    {
        var reader = _tunnelBytes.Reader;
        int maxBody = Math.Min(FrameReader.MaxFrameBodyLength, _settings.MaxMessageSize);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_readStop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                DrainRetired();
                bool failed = false;
                while (true)
                {
                    // DATA, the bulk, is read in place and its payload copied once, into the
                    // connection's output; everything else goes through the protobuf parser.
                    if (_serviceIdsReceived && FrameReader.TryReadData(ref buffer, out var data, maxBody))
                    {
                        var written = HandleDataAsync(data);
                        if (!written.IsCompletedSuccessfully)
                        {
                            await written.ConfigureAwait(false);
                        }

                        continue;
                    }

                    var status = FrameReader.TryRead(ref buffer, out var message, out var error, maxBody);
                    if (status == FrameReadStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == FrameReadStatus.Error)
                    {
                        End(new LinkEnd(LinkEndKind.ProtocolError, "the service sent a malformed tunnel frame: " + error.Detail));
                        failed = true;
                        break;
                    }

                    var pending = DispatchAsync(message!);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        await pending.ConfigureAwait(false);
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (failed)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        _log.Debug($"the connection ended inside a tunnel frame ({buffer.Length} bytes left)");
                    }

                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // Nothing else reads the tunnel: a dispatcher that died quietly would leave the session
            // connected and deaf. End it, visibly, with what went wrong.
            _log.Error($"handling a tunnel frame failed unexpectedly: {ex}");
            End(new LinkEnd(LinkEndKind.Internal, "internal error while handling a tunnel frame: " + ex.Message));
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private ValueTask DispatchAsync(Message message)
    {
        if (message.Type == MessageType.ServiceIds)
        {
            HandleServiceIds(message);
            return default;
        }

        if (!_serviceIdsReceived)
        {
            // The reference waits for SERVICE_IDS and drops everything else (docs/protocol.md 8.1 step 2).
            if (message.Type != MessageType.Data)
            {
                _log.Warn($"ignored {Describe(message)}: SERVICE_IDS has not arrived yet");
            }

            return default;
        }

        switch (message.Type)
        {
            case MessageType.Data:
                return HandleDataAsync(message);
            case MessageType.StreamStart:
                HandleStart(message, isStreamStart: true);
                break;
            case MessageType.ConnectionStart:
                HandleStart(message, isStreamStart: false);
                break;
            case MessageType.StreamReset:
                HandleStreamReset(message);
                break;
            case MessageType.ConnectionReset:
                HandleConnectionReset(message);
                break;
            case MessageType.SessionReset:
                HandleSessionReset();
                break;
            default:
                HandleUnknown(message);
                break;
        }

        return default;
    }

    // DATA parsed by protobuf: frames the in-place reader leaves to the full parser (unusual encodings).
    private ValueTask HandleDataAsync(Message message)
    {
        var connection = FindDataTarget(FindChannel(message.ServiceId), message.StreamId, message.ConnectionId);
        return connection is null || message.Payload.IsEmpty ? default : WriteToLocal(connection, new ReadOnlySequence<byte>(message.Payload.Memory));
    }

    private ValueTask HandleDataAsync(in DataFrame frame)
    {
        var connection = FindDataTarget(FindChannel(frame), frame.StreamId, frame.ConnectionId);
        return connection is null || frame.Payload.IsEmpty ? default : WriteToLocal(connection, frame.Payload);
    }

    private LocalConnection? FindDataTarget(ServiceChannel? channel, int streamId, uint connectionId)
    {
        if (channel is null || streamId == 0 || streamId != channel.CurrentStreamId)
        {
            return null;
        }

        LocalConnection? connection;
        if (connectionId == 0)
        {
            if (IsSource && _format == MessageFormat.V3)
            {
                Downgrade("DATA without a connection id");
            }

            connection = SingleConnection(channel);
        }
        else
        {
            channel.Connections.TryGetValue(connectionId, out connection);
        }

        return connection is null || connection.IsClosing ? null : connection;
    }

    private ValueTask WriteToLocal(LocalConnection connection, in ReadOnlySequence<byte> payload)
    {
        if (_fromTunnel is { } throttle)
        {
            // The session's cap from the tunnel: waiting here pauses reading the WebSocket, the
            // only back-pressure toward the sender the protocol has.
            var take = throttle.TakeAsync((int)payload.Length, _readStop.Token);
            if (!take.IsCompletedSuccessfully)
            {
                return WriteAfterThrottleAsync(take, connection, payload);
            }
        }

        return WriteNowToLocal(connection, payload);
    }

    // The payload is a slice of the tunnel pipe, valid until the dispatcher advances it, which it does after this completes.
    private async ValueTask WriteAfterThrottleAsync(ValueTask take, LocalConnection connection, ReadOnlySequence<byte> payload)
    {
        await take.ConfigureAwait(false);
        await WriteNowToLocal(connection, payload).ConfigureAwait(false);
    }

    private ValueTask WriteNowToLocal(LocalConnection connection, in ReadOnlySequence<byte> payload)
    {
        var output = connection.Output.Writer;
        foreach (var segment in payload)
        {
            output.Write(segment.Span);
        }

        _session.AddBytesFromTunnel((int)payload.Length);
        var flush = output.FlushAsync(_readStop.Token);
        return flush.IsCompletedSuccessfully ? default : AwaitFlushAsync(flush);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitFlushAsync(ValueTask<System.IO.Pipelines.FlushResult> flush)
    {
        // The local reader is slower than the tunnel: stop reading the WebSocket until it catches up.
        // Visible in the snapshot (ReceivePaused); not logged, a slow reader pauses once per frame.
        _session.SetDispatchPaused(true);
        try
        {
            await flush.ConfigureAwait(false);
        }
        finally
        {
            _session.SetDispatchPaused(false);
        }
    }

    private static LocalConnection? SingleConnection(ServiceChannel channel)
    {
        if (channel.Connections.TryGetValue(0, out var connection))
        {
            return connection;
        }

        LocalConnection? oldest = null;
        foreach (var candidate in channel.Connections.Values)
        {
            if (candidate.StreamId == channel.CurrentStreamId && (oldest is null || candidate.Id < oldest.Id))
            {
                oldest = candidate;
            }
        }

        return oldest;
    }

    private void Downgrade(string why)
    {
        lock (_gate)
        {
            if (_format != MessageFormat.V3)
            {
                return;
            }

            _format = MessageFormat.V2;
            foreach (var channel in _channels)
            {
                foreach (var connection in channel.Connections.Values)
                {
                    connection.WireConnectionId = 0;
                }
            }
        }

        _log.Info($"the peer speaks V2 ({why}): switching to the V2 message format, one connection per stream");
    }

    private void HandleStreamReset(Message message)
    {
        var channel = FindChannel(message.ServiceId);
        lock (_gate)
        {
            if (channel is null || message.StreamId == 0 || message.StreamId != channel.CurrentStreamId)
            {
                _log.Debug($"ignored {Describe(message)}: not the current stream");
                return;
            }

            CloseStream(channel, graceful: true);
        }

        _log.Info($"stream {message.StreamId} of {Name(channel)} reset by the peer");
    }

    private void HandleConnectionReset(Message message)
    {
        var channel = FindChannel(message.ServiceId);
        if (channel is null || message.ConnectionId == 0 || !channel.Connections.TryGetValue(message.ConnectionId, out var connection))
        {
            _log.Debug($"ignored {Describe(message)}: no such connection");
            return;
        }

        lock (_gate)
        {
            channel.Connections.TryRemove(new(message.ConnectionId, connection));
            if (connection.CloseGracefully())
            {
                // The reference answers with the same CONNECTION_RESET (its local read fails); peers expect the echo.
                _writer.EnqueueMessage(message, connection.Lane);
            }
        }

        _retired.Enqueue(connection);
        _log.Debug($"connection {connection.Key} reset by the peer");
    }

    private void HandleSessionReset()
    {
        int closed = 0;
        lock (_gate)
        {
            foreach (var channel in _channels)
            {
                closed += channel.Connections.Count;
                CloseStream(channel, graceful: true);
            }
        }

        _log.Warn($"SESSION_RESET from the service: closed {closed} local connection(s); the session stays connected");
    }

    private void HandleUnknown(Message message)
    {
        if (message.Ignorable)
        {
            _log.Debug($"ignored {Describe(message)} (ignorable)");
            return;
        }

        var channel = FindChannel(message.ServiceId);
        lock (_gate)
        {
            if (channel is null || message.StreamId == 0 || message.StreamId != channel.CurrentStreamId)
            {
                _log.Warn($"ignored {Describe(message)}: unknown type, not ignorable, and it names no live stream");
                return;
            }

            _writer.EnqueueMessage(TunnelMessages.StreamReset(channel.CurrentStreamId, StreamServiceId(channel)));
            CloseStream(channel, graceful: false);
        }

        _log.Warn($"{Describe(message)} has an unknown type and is not ignorable: reset stream {message.StreamId} of {Name(channel)}; other streams go on");
    }

    /// <summary>Closes every connection of the channel's stream and re-arms it. Caller holds the lock.</summary>
    private void CloseStream(ServiceChannel channel, bool graceful)
    {
        foreach (var connection in channel.Connections.Values)
        {
            if (graceful)
            {
                connection.CloseGracefully();
            }
            else
            {
                connection.Abort();
            }

            _retired.Enqueue(connection);
        }

        channel.Connections.Clear();
        channel.CurrentStreamId = 0;
        channel.StreamAlive = false;
    }

    /// <summary>Connections closed from other threads get their output completed here, on the dispatcher.</summary>
    private void DrainRetired()
    {
        while (_retired.TryDequeue(out var connection))
        {
            connection.CompleteWriter();
        }
    }

    private ServiceChannel? FindChannel(in DataFrame frame)
    {
        var channels = _channels;
        if (frame.ServiceIdUtf8.IsEmpty)
        {
            return channels.Count == 1 ? channels[0] : null;
        }

        foreach (var channel in channels)
        {
            if (channel.ServiceId is not null && frame.ServiceIdEquals(channel.ServiceIdUtf8))
            {
                return channel;
            }
        }

        return null;
    }

    private ServiceChannel? FindChannel(string serviceId)
    {
        var channels = _channels;
        if (string.IsNullOrEmpty(serviceId))
        {
            // V1 peers send no service id: the single service is meant (docs/protocol.md section 9).
            return channels.Count == 1 ? channels[0] : null;
        }

        foreach (var channel in channels)
        {
            if (string.Equals(channel.ServiceId, serviceId, StringComparison.Ordinal))
            {
                return channel;
            }
        }

        return null;
    }

    /// <summary>serviceId for stream-level messages we originate on this channel.</summary>
    private string? StreamServiceId(ServiceChannel channel) =>
        IsSource ? (_format == MessageFormat.V1 ? null : channel.ServiceId) : (channel.MirrorServiceId ? channel.ServiceId : null);

    private static string Name(ServiceChannel? channel) => channel?.ServiceId is { } id ? $"service {id}" : "the service";

    private static string Describe(Message message) =>
        $"{(Enum.IsDefined(message.Type) ? message.Type.ToString() : $"type {(int)message.Type}")}"
        + $"{(message.StreamId != 0 ? $" stream {message.StreamId}" : string.Empty)}"
        + $"{(message.ServiceId.Length > 0 ? $" service {message.ServiceId}" : string.Empty)}"
        + $"{(message.ConnectionId != 0 ? $" connection {message.ConnectionId}" : string.Empty)}";
}
