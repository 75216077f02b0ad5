using Gateway.Engine.Protocol;
using Gateway.Engine.Relay;

namespace Gateway.Engine.Settings;

/// <summary>
/// The reference proxy's fine-grained settings (docs/protocol.md section 12), same names and defaults.
/// Immutable; <see cref="ProxySettingsJson"/> reads and writes the reference's JSON format.
/// </summary>
public sealed record ProxySettings
{
    // Declared before Default: static initializers run in text order, and Default's instance initializers read this.
    internal static IReadOnlyDictionary<string, string> DefaultOverrides { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cn-north-1"] = "data.tunneling.iot.cn-north-1.amazonaws.com.cn",
        ["cn-northwest-1"] = "data.tunneling.iot.cn-northwest-1.amazonaws.com.cn",
    };

    /// <summary>The reference's defaults, shared: specs without settings use this instance.</summary>
    public static ProxySettings Default { get; } = new();

    /// <summary><c>default_bind_address</c>: listen address of a source session without a bind address.</summary>
    public string DefaultBindAddress { get; init; } = "localhost";

    /// <summary><c>message.data_length_size</c>: size of the frame length prefix (only 2 is supported).</summary>
    public int DataLengthSize { get; init; } = 2;

    /// <summary><c>message.data_frame_max_size</c>: exported, unused at runtime (as in the reference).</summary>
    public int DataFrameMaxSize { get; init; } = 65538;

    /// <summary><c>message.max_payload_size</c>: largest DATA payload sent.</summary>
    public int MaxPayloadSize { get; init; } = 64512;

    /// <summary><c>message.max_size</c>: largest protobuf message accepted.</summary>
    public int MaxMessageSize { get; init; } = 65536;

    /// <summary><c>tcp.connection_retry_count</c>: destination connect and source bind retries; -1 = infinite.</summary>
    public int TcpConnectionRetryCount { get; init; } = 5;

    /// <summary><c>tcp.connection_retry_delay_ms</c>.</summary>
    public int TcpConnectionRetryDelayMs { get; init; } = 2500;

    /// <summary><c>tcp.read_buffer_size</c>: largest single read from a local TCP connection.</summary>
    public int TcpReadBufferSize { get; init; } = 131076;

    /// <summary><c>tcp.max_active_connections</c>: per-service connection cap.</summary>
    public int TcpMaxActiveConnections { get; init; } = 128;

    /// <summary><c>tcp.write_buffer_size</c> (not exported by the reference): bytes buffered toward one local connection.</summary>
    public int TcpWriteBufferSize { get; init; } = 131076;

    /// <summary><c>websocket.ping_period_ms</c>.</summary>
    public int PingPeriodMs { get; init; } = 20000;

    /// <summary><c>websocket.retry_delay_ms</c>: first back-off delay after a failed connect or a drop.</summary>
    public int RetryDelayMs { get; init; } = 2500;

    /// <summary><c>websocket.connect_retry_count</c>: retries after a failed connect; -1 = infinite.</summary>
    public int ConnectRetryCount { get; init; } = -1;

    /// <summary><c>websocket.reconnect_on_data_error</c>: reconnect after an established session drops.</summary>
    public bool ReconnectOnDataError { get; init; } = true;

    /// <summary><c>websocket.subprotocol</c>: the one value offered in <c>Sec-WebSocket-Protocol</c>.</summary>
    public string Subprotocol { get; init; } = Subprotocols.V3;

    /// <summary><c>websocket.max_frame_size</c>: SO_RCVBUF/SO_SNDBUF of the service socket.</summary>
    public int MaxFrameSize { get; init; } = 131076;

    /// <summary><c>websocket.write_buffer_size</c>.</summary>
    public int WebSocketWriteBufferSize { get; init; } = 131076;

    /// <summary><c>websocket.read_buffer_size</c>.</summary>
    public int WebSocketReadBufferSize { get; init; } = 131076;

    /// <summary><c>limits.session_bytes_per_second_to_tunnel</c> (ours): cap on what the session sends to the tunnel, bytes/s; 0 = none.</summary>
    public int SessionBandwidthToTunnel { get; init; }

    /// <summary><c>limits.session_bytes_per_second_from_tunnel</c> (ours): cap on what the session reads from the tunnel, bytes/s; 0 = none.</summary>
    public int SessionBandwidthFromTunnel { get; init; }

    /// <summary><c>limits.connection_bytes_per_second</c> (ours): cap per local connection toward the tunnel, bytes/s; 0 = none.</summary>
    public int ConnectionBandwidth { get; init; }

    /// <summary><c>limits.max_session_connections</c> (ours): connections open at once over all services of the session; 0 = no cap beyond tcp.max_active_connections per service.</summary>
    public int MaxSessionConnections { get; init; }

    /// <summary><c>endpoint_format</c> (not exported by the reference): region to host, <c>%s</c> = region.</summary>
    public string EndpointFormat { get; init; } = "data.tunneling.iot.%s.amazonaws.com";

    /// <summary><c>region_endpoint_overrides.&lt;region&gt;</c>: hosts that do not follow the format.</summary>
    public IReadOnlyDictionary<string, string> RegionEndpointOverrides { get; init; } = DefaultOverrides;

    /// <summary>The service host for <paramref name="region"/>: an override, else the format.</summary>
    public string ResolveRegionHost(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return RegionEndpointOverrides.TryGetValue(region, out var host)
            ? host
            : EndpointFormat.Replace("%s", region, StringComparison.Ordinal);
    }
}
