using System.Net.Sockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;

namespace Gateway.Engine.Sessions;

internal sealed partial class SessionLink
{
    /// <summary>A local client connected to a source listener (docs/protocol.md 8.2).</summary>
    public void OnAccepted(SourceListener listener, Socket socket)
    {
        var channel = listener.Target;
        if (channel is null || !_ready || HasEnded)
        {
            socket.Dispose();
            return;
        }

        string peer = socket.RemoteEndPoint?.ToString() ?? "?";
        _log.Info($"Accepted tcp connection on port {listener.Port} from {peer}");
        LocalConnection? connection = null;
        lock (_gate)
        {
            if (channel.Connections.Count >= _settings.TcpMaxActiveConnections)
            {
                // The reference aborts here (null dereference); we refuse just this connection.
                _log.Warn($"refused a connection from {peer} to {Name(channel)}: it already has {channel.Connections.Count} connections (tcp.max_active_connections)");
                _session.CountRefusedByLimit();
                socket.Dispose();
                return;
            }

            if (SessionConnectionsFull(out int open))
            {
                _log.Warn($"refused a connection from {peer} to {Name(channel)}: the session already has {open} connections (limits.max_session_connections)");
                _session.CountRefusedByLimit();
                socket.Dispose();
                return;
            }

            string? serviceId = _format == MessageFormat.V1 ? null : channel.ServiceId;
            if (_format == MessageFormat.V3)
            {
                uint connectionId = ++channel.HighestConnectionId;
                bool newStream = !channel.StreamAlive;
                int streamId = newStream ? channel.NextStreamId() : channel.CurrentStreamId;
                channel.CurrentStreamId = streamId;
                channel.StreamAlive = true;
                connection = new LocalConnection(this, _writer, channel, connectionId, streamId, serviceId, connectionId, _time.GetUtcNow(), _connectionPipeOptions);

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
                    CloseStream(channel, graceful: false);
                    socket.Dispose();
                    _log.Warn($"a second connection from {peer} to {Name(channel)} in the {_format} format: both closed (one connection per stream)");
                    return;
                }

                channel.CurrentStreamId = streamId;
                channel.StreamAlive = true;
                connection = new LocalConnection(this, _writer, channel, 0, streamId, serviceId, 0, _time.GetUtcNow(), _connectionPipeOptions);
            }

            channel.Connections[connection.Id] = connection;
        }

        connection.Start(socket);
        _log.Debug($"connection {connection.Key} from {peer} started stream {connection.StreamId}");
        _session.NotifyChanged();
    }

    /// <summary>True when <c>limits.max_session_connections</c> is set and reached. Caller holds the lock.</summary>
    private bool SessionConnectionsFull(out int open)
    {
        open = 0;
        int max = _settings.MaxSessionConnections;
        if (max <= 0)
        {
            return false;
        }

        foreach (var channel in _channels)
        {
            open += channel.Connections.Count;
        }

        return open >= max;
    }

    /// <summary>A connection's local read side ended (EOF or error) or the user reset it.</summary>
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
        foreach (var channel in _channels)
        {
            foreach (var connection in channel.Connections.Values)
            {
                if (string.Equals(connection.Key, key, StringComparison.Ordinal))
                {
                    if (connection.Abort())
                    {
                        ReportLocalEnd(connection, "reset by the user");
                    }

                    return true;
                }
            }
        }

        return false;
    }

    private void ReportLocalEnd(LocalConnection connection, string why)
    {
        var channel = connection.Service;
        lock (_gate)
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

        _retired.Enqueue(connection);
        _log.Debug($"connection {connection.Key} ended: {why}");
        _session.NotifyChanged();
    }

    public IReadOnlyList<ServiceSnapshot> SnapshotServices()
    {
        var channels = _channels;
        var services = new List<ServiceSnapshot>(channels.Count);
        foreach (var channel in channels)
        {
            var connections = channel.Connections.Values.Select(c => c.Snapshot()).OrderBy(c => c.ConnectionId).ToList();
            string endpoint = channel.Listener is { } listener ? listener.EndPoint.ToString() : channel.Endpoint.ToString();
            services.Add(new ServiceSnapshot(channel.ServiceId, endpoint, channel.Listener?.Port, channel.CurrentStreamId, connections));
        }

        return services;
    }
}
