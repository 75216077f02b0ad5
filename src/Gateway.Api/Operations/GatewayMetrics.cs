using System.Diagnostics.Metrics;
using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Operations;

/// <summary>
/// The gateway's instruments, on the meter <see cref="MeterName"/>, exported for Prometheus at
/// <c>/metrics</c>. Gauges read <see cref="SessionManager.List"/> and <see cref="TunnelRelay.List"/>
/// when a scrape asks, so nothing runs between scrapes; the session counters are running totals fed
/// from <see cref="SessionManager.Changed"/> (GatewayMetrics.Accounting.cs), so they keep counting
/// sessions that ended and were removed or trimmed from the manager.
/// </summary>
internal sealed partial class GatewayMetrics : IDisposable
{
    public const string MeterName = "TunnelGateway";

    private static readonly KeyValuePair<string, object?> ToTunnel = new("direction", "to_tunnel");
    private static readonly KeyValuePair<string, object?> FromTunnel = new("direction", "from_tunnel");
    private static readonly KeyValuePair<string, object?> PerConnection = new("direction", "connection_to_tunnel");
    private static readonly KeyValuePair<string, object?> SourceToDestination = new("direction", "source_to_destination");
    private static readonly KeyValuePair<string, object?> DestinationToSource = new("direction", "destination_to_source");

    // Indexed by the enum's value: every state is reported, 0 included, so a series never vanishes.
    private static readonly KeyValuePair<string, object?>[] StateTags =
        [.. Enum.GetValues<SessionState>().Select(state => new KeyValuePair<string, object?>("state", StateName(state)))];

    private readonly SessionManager _sessions;
    private readonly TunnelRelay _relay;
    private readonly ILogger<GatewayMetrics> _logger;
    private int _disposed;

    public GatewayMetrics(IMeterFactory meterFactory, SessionManager sessions, TunnelRelay relay, ILogger<GatewayMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _sessions = sessions;
        _relay = relay;
        _logger = logger;

        // A meter from the host's IMeterFactory belongs to this host: two gateways in one process
        // (tests) do not see each other's numbers. The factory disposes it.
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("tunnelgateway.sessions", ObserveSessionsByState, "{session}",
            "Sessions known to the session manager, by state.");
        meter.CreateObservableCounter("tunnelgateway.session.bytes", ObserveSessionBytes, "By",
            "Bytes carried by sessions since the gateway started, ended sessions included: to_tunnel were read from local connections and sent to the tunnel service, from_tunnel came from it.");
        meter.CreateObservableGauge("tunnelgateway.session.active_connections", ObserveActiveConnections, "{connection}",
            "Local TCP connections open over all sessions.");
        meter.CreateObservableCounter("tunnelgateway.session.throttled", ObserveThrottled, "s",
            "Time sessions' traffic waited for their bandwidth caps (limits.*): to_tunnel and from_tunnel for the session caps, connection_to_tunnel summed over connections.");
        meter.CreateObservableCounter("tunnelgateway.session.refused_connections", ObserveRefusedByLimit, "{connection}",
            "Local connections refused at once because a connection cap (tcp.max_active_connections, limits.max_session_connections) was reached.");
        meter.CreateObservableCounter("tunnelgateway.session.reconnects", ObserveReconnects, "{reconnect}",
            "Reconnects of sessions to the tunnel service after a connection dropped.");
        meter.CreateObservableCounter("tunnelgateway.handshake.failures", ObserveHandshakeFailures, "{session}",
            "Sessions that ended Failed because the tunnel service rejected the handshake, by HTTP status.");
        meter.CreateObservableGauge("tunnelgateway.relay.tunnels", ObserveOpenRelayTunnels, "{tunnel}",
            "Open tunnels of the built-in relay.");
        meter.CreateObservableCounter("tunnelgateway.relay.bytes", ObserveRelayBytes, "By",
            "Bytes the built-in relay forwarded between the two ends of its tunnels (persisted, so they survive a restart).");

        _sessions.Changed += OnSessionChanged;
    }

    public void Dispose()
    {
        // Disposed by both the MeterProvider (an instrumentation) and the container.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _sessions.Changed -= OnSessionChanged;
        }
    }

    private static string StateName(SessionState state) => state switch
    {
        SessionState.Connecting => "connecting",
        SessionState.Connected => "connected",
        SessionState.Reconnecting => "reconnecting",
        SessionState.Closed => "closed",
        SessionState.Failed => "failed",
        SessionState.Stopped => "stopped",
        _ => "unknown",
    };

    private IEnumerable<Measurement<int>> ObserveSessionsByState()
    {
        var counts = new int[StateTags.Length];
        foreach (var session in _sessions.List())
        {
            int index = (int)session.State;
            if ((uint)index < (uint)counts.Length)
            {
                counts[index]++;
            }
        }

        return counts.Select((count, index) => new Measurement<int>(count, StateTags[index]));
    }

    private int ObserveActiveConnections() => _sessions.List().Sum(s => s.ActiveConnections);

    private Measurement<long>[] ObserveSessionBytes()
    {
        var (toTunnel, fromTunnel) = SessionBytes();
        return [new(toTunnel, ToTunnel), new(fromTunnel, FromTunnel)];
    }

    private int ObserveOpenRelayTunnels() => _relay.List().Count(t => t.State == RelayTunnelState.Open);

    // The relay keeps every tunnel it ever opened (they are persisted), so the sums only grow.
    private Measurement<long>[] ObserveRelayBytes()
    {
        long sourceToDestination = 0;
        long destinationToSource = 0;
        foreach (var tunnel in _relay.List())
        {
            sourceToDestination += tunnel.BytesSourceToDestination;
            destinationToSource += tunnel.BytesDestinationToSource;
        }

        return [new(sourceToDestination, SourceToDestination), new(destinationToSource, DestinationToSource)];
    }
}
