using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;
using Gateway.Engine.Scheduling;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Reads tunnel frames out of the byte pipe a link's receive loop fills and acts on each: DATA to
/// its local connection, the stream messages to the <see cref="StreamTable"/>, STREAM_START and
/// CONNECTION_START to the link's <see cref="ILinkSide"/>. The only writer of local connections'
/// output pipes; awaiting one of them is the back-pressure toward the WebSocket.
/// </summary>
internal sealed class FrameDispatcher(TunnelSession session, StreamTable table, TunnelWriter writer, ILinkSide side, Action<LinkEnd> end)
{
    private readonly SessionLog _log = session.Log;
    private readonly Throttle? _fromTunnel = session.FromTunnelThrottle;
    private readonly int _maxBody = Math.Min(FrameReader.MaxFrameBodyLength, session.Spec.Spec.Settings.MaxMessageSize);
    private bool _serviceIdsReceived;

    public async Task RunAsync(PipeReader reader, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(stop).ConfigureAwait(false);
                var buffer = result.Buffer;
                table.DrainRetired();
                bool failed = false;
                while (true)
                {
                    // DATA, the bulk, is read in place and its payload copied once, into the
                    // connection's output; everything else goes through the protobuf parser.
                    if (_serviceIdsReceived && FrameReader.TryReadData(ref buffer, out var data, _maxBody))
                    {
                        var written = HandleDataAsync(data, stop);
                        if (!written.IsCompletedSuccessfully)
                        {
                            await written.ConfigureAwait(false);
                        }

                        continue;
                    }

                    var status = FrameReader.TryRead(ref buffer, out var message, out var error, _maxBody);
                    if (status == FrameReadStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == FrameReadStatus.Error)
                    {
                        end(new LinkEnd(LinkEndKind.ProtocolError, "the service sent a malformed tunnel frame: " + error.Detail));
                        failed = true;
                        break;
                    }

                    var pending = DispatchAsync(message!, stop);
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
                        _log.Debug(SessionLogEvents.FrameCutOff, $"the connection ended inside a tunnel frame ({buffer.Length} bytes left)");
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
            _log.Error(SessionLogEvents.FrameFailed, $"handling a tunnel frame failed unexpectedly: {ex}");
            end(new LinkEnd(LinkEndKind.Internal, "internal error while handling a tunnel frame: " + ex.Message));
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private ValueTask DispatchAsync(Message message, CancellationToken stop)
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
                _log.Warn(SessionLogEvents.BeforeServiceIds, $"ignored {Describe(message)}: SERVICE_IDS has not arrived yet");
            }

            return default;
        }

        switch (message.Type)
        {
            case MessageType.Data:
                // A DATA frame the in-place reader left to the full parser (an unusual encoding):
                // seen the same way, so there is one DATA path.
                var frame = new DataFrame(message.StreamId, message.ConnectionId, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(message.ServiceId)), new ReadOnlySequence<byte>(message.Payload.Memory));
                return HandleDataAsync(frame, stop);
            case MessageType.StreamStart:
                side.OnStart(message, isStreamStart: true);
                break;
            case MessageType.ConnectionStart:
                side.OnStart(message, isStreamStart: false);
                break;
            case MessageType.StreamReset:
                HandleStreamReset(message);
                break;
            case MessageType.ConnectionReset:
                HandleConnectionReset(message);
                break;
            case MessageType.SessionReset:
                int closed = table.CloseAllStreams();
                _log.Warn(SessionLogEvents.SessionReset, $"SESSION_RESET from the service: closed {closed} local connection(s); the session stays connected");
                break;
            default:
                HandleUnknown(message);
                break;
        }

        return default;
    }

    // SERVICE_IDS: validate against the configured map and (re)build the services (docs/protocol.md 8.1).
    // A later SERVICE_IDS is validated again; services whose id and endpoint did not change keep
    // their live streams (the reference resets everything; section 17).
    private void HandleServiceIds(Message message)
    {
        var ids = new List<string>();
        foreach (var id in message.AvailableServiceIds)
        {
            if (ids.Contains(id, StringComparer.Ordinal))
            {
                _log.Warn(SessionLogEvents.ServiceIdRepeated, $"SERVICE_IDS lists {id} twice; the duplicate is ignored");
                continue;
            }

            ids.Add(id);
        }

        var mapping = ServiceIdMapping.Resolve(session.Spec.Services, ids, session.Resolver, table.IsSource, out string? error);
        if (mapping is null)
        {
            _log.Error(SessionLogEvents.ServiceIdsRejected, error!);
            end(new LinkEnd(LinkEndKind.ConfigurationError, error!));
            return;
        }

        var removed = table.Replace(mapping);
        _serviceIdsReceived = true;
        var channels = table.Channels;
        string? sideError = side.OnServicesReady(channels);
        if (sideError is not null)
        {
            _log.Error(SessionLogEvents.ServicesUnavailable, sideError);
            end(new LinkEnd(LinkEndKind.PortUnavailable, sideError));
            return;
        }

        table.IsReady = true;
        session.MarkReady();
        string names = ids.Count == 0 ? "none" : string.Join(", ", ids);
        string detail = string.Join(", ", channels.Select(c => $"{c.ServiceId ?? "(unnamed)"} -> {(c.Listener is { } l ? l.EndPoint.ToString() : c.Endpoint.ToString())}"));
        _log.Info(SessionLogEvents.ServiceIds, $"service ids from the tunnel: {names}; {(table.IsSource ? "listening" : "forwarding")}: {(detail.Length == 0 ? "nothing" : detail)}{(removed.Count > 0 ? $"; dropped {removed.Count} service(s)" : string.Empty)}");
        session.NotifyChanged();
    }

    private ValueTask HandleDataAsync(in DataFrame frame, CancellationToken stop)
    {
        var connection = table.FindDataTarget(frame);
        if (connection is null || frame.Payload.IsEmpty)
        {
            return default;
        }

        if (_fromTunnel is { } throttle)
        {
            // The session's cap from the tunnel: waiting here pauses reading the WebSocket, the
            // only back-pressure toward the sender the protocol has.
            var take = throttle.TakeAsync((int)frame.Payload.Length, stop);
            if (!take.IsCompletedSuccessfully)
            {
                return WriteAfterThrottleAsync(take, connection, frame.Payload, stop);
            }
        }

        return WriteToLocal(connection, frame.Payload, stop);
    }

    // The payload is a slice of the tunnel pipe, valid until the dispatcher advances it, which it does after this completes.
    private async ValueTask WriteAfterThrottleAsync(ValueTask take, LocalConnection connection, ReadOnlySequence<byte> payload, CancellationToken stop)
    {
        await take.ConfigureAwait(false);
        await WriteToLocal(connection, payload, stop).ConfigureAwait(false);
    }

    private ValueTask WriteToLocal(LocalConnection connection, in ReadOnlySequence<byte> payload, CancellationToken stop)
    {
        var output = connection.Output.Writer;
        foreach (var segment in payload)
        {
            output.Write(segment.Span);
        }

        session.AddBytesFromTunnel((int)payload.Length);
        var flush = output.FlushAsync(stop);
        return flush.IsCompletedSuccessfully ? default : AwaitFlushAsync(flush);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        // The local reader is slower than the tunnel: stop reading the WebSocket until it catches up.
        // Visible in the snapshot (ReceivePaused); not logged, a slow reader pauses once per frame.
        session.SetDispatchPaused(true);
        try
        {
            await flush.ConfigureAwait(false);
        }
        finally
        {
            session.SetDispatchPaused(false);
        }
    }

    private void HandleStreamReset(Message message)
    {
        var channel = table.Find(message.ServiceId);
        using (table.EnterScope())
        {
            if (channel is null || message.StreamId == 0 || message.StreamId != channel.CurrentStreamId)
            {
                _log.Debug(SessionLogEvents.NotCurrentStream, $"ignored {Describe(message)}: not the current stream");
                return;
            }

            table.CloseStream(channel, graceful: true);
        }

        _log.Info(SessionLogEvents.StreamResetByPeer, $"stream {message.StreamId} of {StreamTable.Name(channel)} reset by the peer");
    }

    private void HandleConnectionReset(Message message)
    {
        var channel = table.Find(message.ServiceId);
        if (channel is null || message.ConnectionId == 0 || !channel.Connections.TryGetValue(message.ConnectionId, out var connection))
        {
            _log.Debug(SessionLogEvents.NoSuchConnection, $"ignored {Describe(message)}: no such connection");
            return;
        }

        using (table.EnterScope())
        {
            channel.Connections.TryRemove(new(message.ConnectionId, connection));
            if (connection.CloseGracefully())
            {
                // The reference answers with the same CONNECTION_RESET (its local read fails); peers expect the echo.
                writer.EnqueueMessage(message, connection.Lane);
            }
        }

        table.Retire(connection);
        _log.Debug(SessionLogEvents.ConnectionResetByPeer, $"connection {connection.Key} reset by the peer");
    }

    private void HandleUnknown(Message message)
    {
        if (message.Ignorable)
        {
            _log.Debug(SessionLogEvents.IgnorableIgnored, $"ignored {Describe(message)} (ignorable)");
            return;
        }

        var channel = table.Find(message.ServiceId);
        using (table.EnterScope())
        {
            if (channel is null || message.StreamId == 0 || message.StreamId != channel.CurrentStreamId)
            {
                _log.Warn(SessionLogEvents.UnknownIgnored, $"ignored {Describe(message)}: unknown type, not ignorable, and it names no live stream");
                return;
            }

            writer.EnqueueMessage(TunnelMessages.StreamReset(channel.CurrentStreamId, table.StreamServiceId(channel)));
            table.CloseStream(channel, graceful: false);
        }

        _log.Warn(SessionLogEvents.UnknownResetStream, $"{Describe(message)} has an unknown type and is not ignorable: reset stream {message.StreamId} of {StreamTable.Name(channel)}; other streams go on");
    }

    /// <summary>A message as log lines name it: its type and the ids it carries.</summary>
    public static string Describe(Message message) =>
        $"{(Enum.IsDefined(message.Type) ? message.Type.ToString() : $"type {(int)message.Type}")}"
        + $"{(message.StreamId != 0 ? $" stream {message.StreamId}" : string.Empty)}"
        + $"{(message.ServiceId.Length > 0 ? $" service {message.ServiceId}" : string.Empty)}"
        + $"{(message.ConnectionId != 0 ? $" connection {message.ConnectionId}" : string.Empty)}";
}
