using System.Net;
using System.Net.Sockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// The destination end of a link (docs/protocol.md 8.3): a STREAM_START or CONNECTION_START from
/// the peer opens a connection to the service's local endpoint, retried as the settings say; a
/// connect that keeps failing is answered with STREAM_RESET.
/// </summary>
internal sealed class DestinationSide(SessionLink link) : ILinkSide
{
    private static readonly TimeSpan LocalConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly TunnelSession _session = link.Session;
    private readonly StreamTable _table = link.Table;
    private readonly TunnelWriter _writer = link.Writer;
    private readonly SessionLog _log = link.Session.Log;
    private readonly ProxySettings _settings = link.Session.Spec.Spec.Settings;
    private readonly TimeProvider _time = link.Session.Time;

    public string? OnServicesReady(IReadOnlyList<ServiceChannel> channels) => null;

    // STREAM_START / CONNECTION_START: the destination opens a local connection (docs/protocol.md 8.3).
    public void OnStart(Message message, bool isStreamStart)
    {
        var channel = _table.Find(message.ServiceId);
        if (message.StreamId == 0 || channel is null)
        {
            _log.Warn(SessionLogEvents.StartIgnored, $"ignored {FrameDispatcher.Describe(message)}: {(message.StreamId == 0 ? "stream id 0" : "service id not configured")}");
            return;
        }

        uint connectionId = message.ConnectionId;
        using (_table.EnterScope())
        {
            if (isStreamStart && channel.CurrentStreamId != 0 && channel.CurrentStreamId != message.StreamId)
            {
                // As the reference: a new stream while another is current resets the current one and
                // consumes this STREAM_START; the peer sends another (docs/protocol.md 8.3, vector 6e).
                _table.CloseStream(channel, graceful: true);
                _log.Info(SessionLogEvents.StreamRestarted, $"{FrameDispatcher.Describe(message)} while another stream is current: reset the current stream (the peer starts again)");
                return;
            }

            if (!isStreamStart && channel.CurrentStreamId != 0 && channel.CurrentStreamId != message.StreamId)
            {
                _log.Warn(SessionLogEvents.StartNotCurrent, $"ignored {FrameDispatcher.Describe(message)}: stream {channel.CurrentStreamId} is current");
                return;
            }

            if (channel.Connections.ContainsKey(connectionId))
            {
                _log.Debug(SessionLogEvents.StartDuplicate, $"ignored {FrameDispatcher.Describe(message)}: that connection exists");
                return;
            }

            bool sessionFull = link.SessionConnectionsFull(out int open);
            if (channel.Connections.Count >= _settings.TcpMaxActiveConnections || sessionFull)
            {
                if (sessionFull)
                {
                    _log.Warn(SessionLogEvents.StartRefusedSessionFull, $"refused {FrameDispatcher.Describe(message)}: the session already has {open} connections (limits.max_session_connections)");
                }
                else
                {
                    _log.Warn(SessionLogEvents.StartRefusedServiceFull, $"refused {FrameDispatcher.Describe(message)}: {StreamTable.Name(channel)} already has {channel.Connections.Count} connections (tcp.max_active_connections)");
                }

                _session.CountRefusedByLimit();
                _writer.EnqueueMessage(connectionId != 0
                    ? TunnelMessages.ConnectionReset(message.StreamId, message.ServiceId, connectionId)
                    : TunnelMessages.StreamReset(message.StreamId, message.ServiceId));
                return;
            }

            channel.CurrentStreamId = message.StreamId;
            channel.LastStreamId = message.StreamId;
            channel.MirrorServiceId = message.ServiceId.Length > 0;
            var connection = link.NewConnection(channel, connectionId, message.StreamId, message.ServiceId, connectionId);
            channel.Connections[connectionId] = connection;
            _ = ConnectLocalAsync(connection);
        }

        if (connectionId == 0)
        {
            _log.Debug(SessionLogEvents.StartWithoutConnectionId, $"{FrameDispatcher.Describe(message)} has no connection id: replying in the V2 format on this stream");
        }
    }

    private async Task ConnectLocalAsync(LocalConnection connection)
    {
        var endpoint = connection.Service.Endpoint;
        int retries = _settings.TcpConnectionRetryCount;
        var delay = TimeSpan.FromMilliseconds(Math.Max(_settings.TcpConnectionRetryDelayMs, ProxySettingsJson.MinRetryDelayMs));
        string? lastError = null;
        for (int attempt = 0; retries < 0 || attempt <= retries; attempt++)
        {
            if (attempt > 0)
            {
                try
                {
                    await Task.Delay(delay, _time, connection.AbortToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (connection.IsClosing || link.HasEnded)
            {
                return;
            }

            var (socket, error) = await TryConnectAsync(endpoint, connection.AbortToken).ConfigureAwait(false);
            if (socket is not null)
            {
                connection.Start(socket);
                _log.Debug(SessionLogEvents.EndpointConnected, $"connection {connection.Key} connected to {endpoint}");
                _session.NotifyChanged();
                return;
            }

            lastError = error;
            _log.Debug(SessionLogEvents.EndpointAttemptFailed, $"connection {connection.Key}: attempt {attempt + 1} to connect to {endpoint} failed: {error}");
        }

        using (_table.EnterScope())
        {
            var channel = connection.Service;
            if (!connection.Abort() || link.HasEnded)
            {
                return;
            }

            // The reference answers a failed connect with STREAM_RESET (no connection id), also for
            // CONNECTION_START (docs/protocol.md 8.3, vector 6b), and drops the stream.
            _writer.EnqueueMessage(TunnelMessages.StreamReset(connection.StreamId, connection.WireServiceIdText), connection.Lane);
            channel.Connections.TryRemove(new(connection.Id, connection));
            _table.Retire(connection);
            if (channel.CurrentStreamId == connection.StreamId)
            {
                _table.CloseStream(channel, graceful: false);
            }
        }

        _log.Warn(SessionLogEvents.EndpointUnreachable, $"cannot connect to {endpoint} for {StreamTable.Name(connection.Service)} after {(retries < 0 ? "repeated" : retries + 1)} attempt(s): {lastError}; sent STREAM_RESET");
    }

    private async Task<(Socket? Socket, string? Error)> TryConnectAsync(ServiceEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LocalConnectTimeout);
        Socket? socket = null;
        try
        {
            if (endpoint.UnixSocketPath is { } path)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token).ConfigureAwait(false);
                return (socket, null);
            }

            var bind = _session.DestinationBindAddress;
            string host = endpoint.Host ?? _session.Spec.Spec.BindAddress ?? "127.0.0.1";
            IPAddress address;
            if (!IPAddress.TryParse(host, out address!))
            {
                var addresses = await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
                address = bind is null
                    ? addresses[0]
                    : addresses.FirstOrDefault(a => a.AddressFamily == bind.AddressFamily) ?? addresses[0];
            }

            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (bind is not null)
            {
                // Unlike the reference, the bind address is really bound (docs/protocol.md section 17).
                socket.Bind(new IPEndPoint(bind, 0));
            }

            await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), timeout.Token).ConfigureAwait(false);
            _log.Info(SessionLogEvents.ConnectedToEndpoint, $"Connected to {host}, port: {endpoint.Port}");
            return (socket, null);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ArgumentException)
        {
            socket?.Dispose();
            return (null, ex is OperationCanceledException ? $"timed out after {LocalConnectTimeout.TotalSeconds:0} s" : ex.Message);
        }
    }
}
