using System.Net.Sockets;
using System.Net;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Sessions;

/// <summary>
/// One tunnel end: connects, runs a <see cref="SessionLink"/> per WebSocket connection, reconnects
/// with back-off, and ends Closed, Failed or Stopped. Source listeners belong to the session, not to
/// a link, so a port stays bound across reconnects.
/// </summary>
internal sealed partial class TunnelSession
{
    private readonly Action<TunnelSession, bool> _onChanged;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stateGate = new();
    private readonly bool _logEnd;
    private readonly Dictionary<int, SourceListener> _listenersByPort = [];
    private readonly Dictionary<string, SourceListener> _ephemeralListeners = new(StringComparer.Ordinal);
    private readonly IPAddress? _listenAddress;
    private readonly AccessTokenRenewer? _tokenRenewer;
    private Task _run = Task.CompletedTask;
    private SessionLink? _link;
    private IReadOnlyList<ServiceSnapshot> _lastServices = [];
    private SessionState _state = SessionState.Connecting;
    private string? _stateReason = "connecting";
    private SessionFailure _failure;
    private string? _lastError;
    private string? _channelId;
    private int? _handshakeStatus;
    private string? _handshakeBody;
    private int? _closeCode;
    private string? _closeReason;
    private DateTimeOffset? _connectedAt;
    private DateTimeOffset? _endedAt;
    private int _reconnects;
    private long _bytesToTunnel;
    private long _bytesFromTunnel;
    private long _rttMs = -1;
    private long _connectionThrottledTicks;
    private long _refusedByLimit;
    private int _receivePaused;
    private int _dispatchPaused;
    private long _version;

    public TunnelSession(string id, ValidatedSpec spec, IServiceIdResolver? resolver, TimeProvider time, ILogger logger, TimeSpan connectTimeout, Action<TunnelSession, bool> onChanged, Action<string, SessionLogLine>? onLogLine = null, bool logEnd = true, AccessTokenRenewer? tokenRenewer = null)
    {
        Id = id;
        _tokenRenewer = tokenRenewer;
        Spec = spec;
        Resolver = resolver;
        Time = time;
        ConnectTimeout = connectTimeout;
        _onChanged = onChanged;
        CreatedAt = time.GetUtcNow();
        Log = new SessionLog(id, logger, time, onLogLine);
        Log.Conceal(spec.Spec.AccessToken);
        Log.Conceal(spec.ClientToken);
        _logEnd = logEnd;
        var settings = spec.Spec.Settings;
        Limits = SessionLimits.Of(settings);
        int maxFrame = Protocol.FrameReader.MaxFrameBodyLength + Transport.TunnelWebSocket.MaxHeaderSize;
        ToTunnelThrottle = settings.SessionBandwidthToTunnel > 0 ? new Scheduling.Throttle(settings.SessionBandwidthToTunnel, maxFrame, time) : null;
        FromTunnelThrottle = settings.SessionBandwidthFromTunnel > 0 ? new Scheduling.Throttle(settings.SessionBandwidthFromTunnel, maxFrame, time) : null;
        string? bind = spec.Spec.BindAddress;
        if (spec.Spec.Mode == SessionMode.Source)
        {
            _listenAddress = ResolveAddress(bind ?? spec.Spec.Settings.DefaultBindAddress);
        }
        else if (bind is not null)
        {
            DestinationBindAddress = ResolveAddress(bind);
        }
    }

    public string Id { get; }

    /// <summary>The spec; its access token changes when <see cref="SessionStartOptions.TokenRenewer"/> gives a new one.</summary>
    public ValidatedSpec Spec { get; private set; }

    public IServiceIdResolver? Resolver { get; }

    public AccessTokenRenewer? TokenRenewer => _tokenRenewer;

    public TimeProvider Time { get; }

    public TimeSpan ConnectTimeout { get; }

    public SessionLog Log { get; }

    public DateTimeOffset CreatedAt { get; }

    public IPAddress? DestinationBindAddress { get; }

    public SessionLimits Limits { get; }

    /// <summary><c>limits.session_bytes_per_second_to_tunnel</c>: taken by the writer before each DATA frame; kept across reconnects.</summary>
    public Scheduling.Throttle? ToTunnelThrottle { get; }

    /// <summary><c>limits.session_bytes_per_second_from_tunnel</c>: taken by the dispatcher before each payload goes to its connection.</summary>
    public Scheduling.Throttle? FromTunnelThrottle { get; }

    /// <summary>Time local connections waited for <c>limits.connection_bytes_per_second</c>.</summary>
    public void AddConnectionThrottled(TimeSpan waited) => Interlocked.Add(ref _connectionThrottledTicks, waited.Ticks);

    /// <summary>A local connection refused by a connection cap (per service or per session).</summary>
    public void CountRefusedByLimit()
    {
        Interlocked.Increment(ref _refusedByLimit);
        Interlocked.Increment(ref _version);
    }

    public Task Completion => _run;

    /// <summary>Bumped on every change a snapshot would show; the manager publishes counters when it moves.</summary>
    public long Version => Interlocked.Read(ref _version);

    public bool IsFinished
    {
        get
        {
            lock (_stateGate)
            {
                return _state.IsFinal();
            }
        }
    }

    /// <summary>
    /// Binds the source ports named in the spec (a conflict fails the start at once, naming the
    /// port), then runs the session in the background.
    /// </summary>
    public void Start()
    {
        if (Spec.Spec.Mode == SessionMode.Source)
        {
            foreach (var mapping in Spec.Services)
            {
                int port = mapping.Endpoint.Port;
                if (port == 0 || _listenersByPort.ContainsKey(port))
                {
                    continue;
                }

                try
                {
                    _listenersByPort[port] = SourceListener.Bind(_listenAddress!, port);
                }
                catch (SocketException ex)
                {
                    DisposeListeners();
                    throw new PortConflictException(port, _listenAddress!, ex);
                }
            }
        }

        Log.Info(SessionLogEvents.Starting, $"starting: {Spec.Spec.Mode.Name()} to {Spec.Endpoint}");
        _run = Task.Run(RunAsync);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
    }

    public bool ResetConnection(string key) => _link?.ResetConnection(key) ?? false;

    public void AddBytesToTunnel(int count)
    {
        Interlocked.Add(ref _bytesToTunnel, count);
        Interlocked.Increment(ref _version);
    }

    public void AddBytesFromTunnel(int count)
    {
        Interlocked.Add(ref _bytesFromTunnel, count);
        Interlocked.Increment(ref _version);
    }

    public void RecordRtt(long milliseconds)
    {
        Interlocked.Exchange(ref _rttMs, milliseconds);
        Interlocked.Increment(ref _version);
    }

    public void SetReceivePaused(bool paused) => Interlocked.Add(ref _receivePaused, paused ? 1 : -1);

    public void SetDispatchPaused(bool paused)
    {
        Interlocked.Exchange(ref _dispatchPaused, paused ? 1 : 0);
        Interlocked.Increment(ref _version);
    }

    /// <summary>Something a snapshot shows changed (connections, services): tell the manager now.</summary>
    public void NotifyChanged()
    {
        Interlocked.Increment(ref _version);
        _onChanged(this, false);
    }

    private static IPAddress ResolveAddress(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return address;
        }

        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        }
        catch (SocketException ex)
        {
            throw new ArgumentException($"bind address {host} does not resolve: {ex.Message}", nameof(host), ex);
        }
    }
}
