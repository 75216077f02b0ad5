using System.Net.Sockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;

namespace Gateway.Engine.Sessions;

/// <summary>
/// The source end of a link (docs/protocol.md 8.2): its services listen on local ports, and each
/// accepted connection starts a stream (V1/V2) or a connection on the service's stream (V3).
/// </summary>
internal sealed class SourceSide(SessionLink link) : ILinkSide
{
    private readonly TunnelSession _session = link.Session;
    private readonly StreamTable _table = link.Table;
    private readonly TunnelWriter _writer = link.Writer;
    private readonly SessionLog _log = link.Session.Log;

    public void OnStart(Message message, bool isStreamStart) =>
        _log.Warn(SessionLogEvents.StartAtSource, $"ignored {FrameDispatcher.Describe(message)}: only a source starts streams");

    public string? OnServicesReady(IReadOnlyList<ServiceChannel> channels) => _session.AttachListeners(channels);

    /// <summary>A local client connected to a source listener.</summary>
    public void Accept(SourceListener listener, Socket socket)
    {
        var channel = listener.Target;
        if (channel is null || !_table.IsReady || link.HasEnded)
        {
            socket.Dispose();
            return;
        }

        string peer = socket.RemoteEndPoint?.ToString() ?? "?";
        _log.Info(SessionLogEvents.Accepted, $"Accepted tcp connection on port {listener.Port} from {peer}");
        var settings = _session.Spec.Spec.Settings;
        LocalConnection? connection = null;
        using (_table.EnterScope())
        {
            if (channel.Connections.Count >= settings.TcpMaxActiveConnections)
            {
                // The reference aborts here (null dereference); we refuse just this connection.
                _log.Warn(SessionLogEvents.RefusedServiceFull, $"refused a connection from {peer} to {StreamTable.Name(channel)}: it already has {channel.Connections.Count} connections (tcp.max_active_connections)");
                _session.CountRefusedByLimit();
                socket.Dispose();
                return;
            }

            if (link.SessionConnectionsFull(out int open))
            {
                _log.Warn(SessionLogEvents.RefusedSessionFull, $"refused a connection from {peer} to {StreamTable.Name(channel)}: the session already has {open} connections (limits.max_session_connections)");
                _session.CountRefusedByLimit();
                socket.Dispose();
                return;
            }

            var format = _table.Format;
            string? serviceId = format == MessageFormat.V1 ? null : channel.ServiceId;
            if (format == MessageFormat.V3)
            {
                uint connectionId = ++channel.HighestConnectionId;
                bool newStream = !channel.StreamAlive;
                int streamId = newStream ? channel.NextStreamId() : channel.CurrentStreamId;
                channel.CurrentStreamId = streamId;
                channel.StreamAlive = true;
                connection = link.NewConnection(channel, connectionId, streamId, serviceId, connectionId);

                // In the connection's lane: it leaves before the connection's first DATA.
                _writer.EnqueueMessage(newStream ? TunnelMessages.StreamStart(streamId, serviceId, connectionId) : TunnelMessages.ConnectionStart(streamId, serviceId, connectionId), connection.Lane);
            }
            else
            {
                // V1/V2: every connection is a new stream; a second simultaneous one ends both, as the
                // reference does (STREAM_START then STREAM_RESET, vector 4a).
                int streamId = channel.NextStreamId();
                _writer.EnqueueMessage(TunnelMessages.StreamStart(streamId, serviceId, 0), channel.SharedLane);
                if (!channel.Connections.IsEmpty)
                {
                    _writer.EnqueueMessage(TunnelMessages.StreamReset(streamId, serviceId), channel.SharedLane);
                    _table.CloseStream(channel, graceful: false);
                    socket.Dispose();
                    _log.Warn(SessionLogEvents.SecondConnection, $"a second connection from {peer} to {StreamTable.Name(channel)} in the {format} format: both closed (one connection per stream)");
                    return;
                }

                channel.CurrentStreamId = streamId;
                channel.StreamAlive = true;
                connection = link.NewConnection(channel, 0, streamId, serviceId, 0);
            }

            channel.Connections[connection.Id] = connection;
        }

        connection.Start(socket);
        _log.Debug(SessionLogEvents.StreamStarted, $"connection {connection.Key} from {peer} started stream {connection.StreamId}");
        _session.NotifyChanged();
    }
}
