using System.Net;
using System.Net.Sockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

internal sealed partial class SessionLink
{
    private static readonly TimeSpan LocalConnectTimeout = TimeSpan.FromSeconds(10);

    // STREAM_START / CONNECTION_START: the destination opens a local connection (docs/protocol.md 8.3).
    private void HandleStart(Message message, bool isStreamStart)
    {
        if (IsSource)
        {
            _log.Warn($"ignored {Describe(message)}: only a source starts streams");
            return;
        }

        var channel = FindChannel(message.ServiceId);
        if (message.StreamId == 0 || channel is null)
        {
            _log.Warn($"ignored {Describe(message)}: {(message.StreamId == 0 ? "stream id 0" : "service id not configured")}");
            return;
        }

        uint connectionId = message.ConnectionId;
        lock (_gate)
        {
            if (isStreamStart && channel.CurrentStreamId != 0 && channel.CurrentStreamId != message.StreamId)
            {
                // As the reference: a new stream while another is current resets the current one and
                // consumes this STREAM_START; the peer sends another (docs/protocol.md 8.3, vector 6e).
                CloseStream(channel, graceful: true);
                _log.Info($"{Describe(message)} while another stream is current: reset the current stream (the peer starts again)");
                return;
            }

            if (!isStreamStart && channel.CurrentStreamId != 0 && channel.CurrentStreamId != message.StreamId)
            {
                _log.Warn($"ignored {Describe(message)}: stream {channel.CurrentStreamId} is current");
                return;
            }

            if (channel.Connections.ContainsKey(connectionId))
            {
                _log.Debug($"ignored {Describe(message)}: that connection exists");
                return;
            }

            bool sessionFull = SessionConnectionsFull(out int open);
            if (channel.Connections.Count >= _settings.TcpMaxActiveConnections || sessionFull)
            {
                _log.Warn(sessionFull
                    ? $"refused {Describe(message)}: the session already has {open} connections (limits.max_session_connections)"
                    : $"refused {Describe(message)}: {Name(channel)} already has {channel.Connections.Count} connections (tcp.max_active_connections)");
                _session.CountRefusedByLimit();
                _writer.EnqueueMessage(connectionId != 0
                    ? TunnelMessages.ConnectionReset(message.StreamId, message.ServiceId, connectionId)
                    : TunnelMessages.StreamReset(message.StreamId, message.ServiceId));
                return;
            }

            channel.CurrentStreamId = message.StreamId;
            channel.LastStreamId = message.StreamId;
            channel.MirrorServiceId = message.ServiceId.Length > 0;
            var connection = new LocalConnection(this, _writer, channel, connectionId, message.StreamId, message.ServiceId, connectionId, _time.GetUtcNow(), _connectionPipeOptions);
            channel.Connections[connectionId] = connection;
            _ = ConnectLocalAsync(connection);
        }

        if (connectionId == 0)
        {
            _log.Debug($"{Describe(message)} has no connection id: replying in the V2 format on this stream");
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

            if (connection.IsClosing || HasEnded)
            {
                return;
            }

            var (socket, error) = await TryConnectAsync(endpoint, connection.AbortToken).ConfigureAwait(false);
            if (socket is not null)
            {
                connection.Start(socket);
                _log.Debug($"connection {connection.Key} connected to {endpoint}");
                _session.NotifyChanged();
                return;
            }

            lastError = error;
            _log.Debug($"connection {connection.Key}: attempt {attempt + 1} to connect to {endpoint} failed: {error}");
        }

        lock (_gate)
        {
            var channel = connection.Service;
            if (!connection.Abort() || HasEnded)
            {
                return;
            }

            // The reference answers a failed connect with STREAM_RESET (no connection id), also for
            // CONNECTION_START (docs/protocol.md 8.3, vector 6b), and drops the stream.
            _writer.EnqueueMessage(TunnelMessages.StreamReset(connection.StreamId, connection.WireServiceIdText), connection.Lane);
            channel.Connections.TryRemove(new(connection.Id, connection));
            _retired.Enqueue(connection);
            if (channel.CurrentStreamId == connection.StreamId)
            {
                CloseStream(channel, graceful: false);
            }
        }

        _log.Warn($"cannot connect to {endpoint} for {Name(connection.Service)} after {(retries < 0 ? "repeated" : retries + 1)} attempt(s): {lastError}; sent STREAM_RESET");
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
            string host = endpoint.Host ?? _spec.Spec.BindAddress ?? "127.0.0.1";
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
            _log.Info($"Connected to {host}, port: {endpoint.Port}");
            return (socket, null);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ArgumentException)
        {
            socket?.Dispose();
            return (null, ex is OperationCanceledException ? $"timed out after {LocalConnectTimeout.TotalSeconds:0} s" : ex.Message);
        }
    }
}
