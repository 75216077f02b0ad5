using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Engine.Relay;

/// <summary>
/// The built-in, AWS-compatible tunnel service: opens tunnels, judges upgrade requests by the
/// service's token rules, and relays tunnel frames between the two ends of each tunnel. The web
/// host only translates HTTP to <see cref="RelayUpgradeRequest"/> and hands over the socket.
/// </summary>
public sealed partial class TunnelRelay : IDisposable
{
    private readonly ConcurrentDictionary<string, RelayTunnel> _tunnels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (RelayTunnel Tunnel, TunnelEnd End)> _byTokenHash = new(StringComparer.Ordinal);
    private readonly ITunnelStore _store;
    private readonly TimeProvider _time;
    private readonly RelayOptions _options;
    private readonly ILogger<TunnelRelay> _logger;
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly RejectionLogLimiter _rejectionLog;
    private ITimer? _pruneTimer;

    /// <summary>
    /// A relay with no tunnels loaded yet: call <see cref="InitializeAsync"/> before it serves (until
    /// then handshakes are refused with 503). Out-of-range settings for logging refused handshakes fall back to sensible values.
    /// </summary>
    /// <param name="store">Where tunnels are persisted; saved before a token is burned.</param>
    /// <param name="time">The clock of lifetimes, expiry timers and pruning.</param>
    /// <param name="options">The relay's settings (lifetimes, quotas, retention, limits).</param>
    /// <param name="logger">The relay's log.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public TunnelRelay(ITunnelStore store, TimeProvider time, IOptions<RelayOptions> options, ILogger<TunnelRelay> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _options = options.Value;
        _logger = logger;
        // Out-of-range settings fall back to the nearest sensible value rather than stop the host.
        var window = _options.RejectedHandshakeLogWindow > TimeSpan.Zero ? _options.RejectedHandshakeLogWindow : TimeSpan.FromMinutes(1);
        _rejectionLog = new RejectionLogLimiter(
            time,
            Math.Max(0, _options.RejectedHandshakeLogLimit),
            window,
            Math.Max(1, _options.RejectedHandshakeLogMaxAddresses),
            (remote, count) => Log.HandshakeRejectionsSuppressed(_logger, count, remote, window));
    }

    /// <summary>The settings the relay was created with.</summary>
    public RelayOptions Options => _options;

    /// <summary>Loads the tunnels persisted by an earlier run; expired ones are marked so.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var records = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        int open = 0;
        foreach (var record in records)
        {
            var tunnel = new RelayTunnel(record, _time);
            Register(tunnel);
            if (tunnel.State != RelayTunnelState.Open)
            {
                continue;
            }

            if (tunnel.ExpiresAt <= now)
            {
                await EndAsync(tunnel, RelayTunnelState.Expired, "Tunnel expired", cancellationToken).ConfigureAwait(false);
                continue;
            }

            ArmExpiry(tunnel);
            open++;
        }

        Log.Loaded(_logger, open, records.Count);
        await PruneAsync(cancellationToken).ConfigureAwait(false);
        var every = _options.ClosedTunnelRetention < TimeSpan.FromHours(1) ? _options.ClosedTunnelRetention : TimeSpan.FromHours(1);
        _pruneTimer = _time.CreateTimer(static state => _ = ((TunnelRelay)state!).PruneAsync(CancellationToken.None), this, every, every);
        _initialized.TrySetResult();
    }

    /// <summary>
    /// Opens a tunnel: validates the request, applies the quotas (open tunnels, services per tunnel),
    /// makes two new access tokens, saves the record and arms its expiry.
    /// </summary>
    /// <param name="request">The services, lifetime (minutes, null for the default), description, thing and tags.</param>
    /// <param name="cancellationToken">Cancels the wait to open and the save.</param>
    /// <returns>The tunnel with its plain tokens, or the field errors, or the quota that refused it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <remarks>A failure of <see cref="ITunnelStore.SaveAsync"/> is thrown; no tunnel is opened then.</remarks>
    public async Task<CreateTunnelResult> CreateAsync(CreateTunnelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = CreateTunnelValidator.Validate(request, _options);
        if (errors.Count > 0)
        {
            return new CreateTunnelResult(null, errors);
        }

        if (CreateTunnelValidator.ServiceLimitProblem(request, _options) is { } serviceLimit)
        {
            return new CreateTunnelResult(null, new Dictionary<string, string[]> { ["services"] = [serviceLimit] }) { LimitExceeded = serviceLimit };
        }

        var sourceToken = TokenHasher.NewAccessToken();
        var destinationToken = TokenHasher.NewAccessToken();
        RelayTunnel tunnel;
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int open = _tunnels.Values.Count(t => t.State == RelayTunnelState.Open);
            if (open >= _options.MaxOpenTunnels)
            {
                string limit = $"At most {_options.MaxOpenTunnels} tunnels may be open at once; close one first.";
                return new CreateTunnelResult(null, new Dictionary<string, string[]>()) { LimitExceeded = limit };
            }

            var now = _time.GetUtcNow();
            var record = new TunnelRecord
            {
                Id = Guid.NewGuid().ToString("D"),
                Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description,
                ThingName = request.ThingName,
                Tags = TunnelRules.Merge([], request.Tags ?? []),
                Services = [.. request.Services ?? []],
                CreatedAt = now,
                LastUpdatedAt = now,
                ExpiresAt = now.AddMinutes(request.LifetimeMinutes ?? _options.DefaultLifetimeMinutes),
                State = RelayTunnelState.Open,
                Source = new TunnelEndRecord(TokenHasher.Hash(sourceToken)),
                Destination = new TunnelEndRecord(TokenHasher.Hash(destinationToken)),
            };
            await _store.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            tunnel = new RelayTunnel(record, _time);
            Register(tunnel);
        }
        finally
        {
            _opening.Release();
        }

        ArmExpiry(tunnel);
        Log.TunnelCreated(_logger, tunnel.Id, string.Join(", ", tunnel.Services), tunnel.ExpiresAt);
        return new CreateTunnelResult(new CreatedTunnel(tunnel.ToSnapshot(), sourceToken, destinationToken), new Dictionary<string, string[]>());
    }

    /// <summary>Every tunnel the relay holds, open or ended and not yet pruned, newest first.</summary>
    public IReadOnlyList<RelayTunnelSnapshot> List() =>
        [.. _tunnels.Values.Select(t => t.ToSnapshot()).OrderByDescending(t => t.CreatedAt)];

    /// <summary>One tunnel by id; null when no tunnel has it (or it was pruned).</summary>
    /// <param name="id">The tunnel id.</param>
    public RelayTunnelSnapshot? Get(string id) => _tunnels.TryGetValue(id, out var tunnel) ? tunnel.ToSnapshot() : null;

    /// <summary>
    /// Closes a tunnel: both ends get a close frame (1000) and the tokens stop working. With
    /// <paramref name="delete"/> its record is removed at once instead of after the retention.
    /// </summary>
    public async Task<RelayTunnelSnapshot?> CloseAsync(string id, CancellationToken cancellationToken, bool delete = false)
    {
        if (!_tunnels.TryGetValue(id, out var tunnel))
        {
            return null;
        }

        await EndAsync(tunnel, RelayTunnelState.Closed, "Tunnel closed", cancellationToken).ConfigureAwait(false);
        if (delete)
        {
            await DeleteAsync(tunnel, cancellationToken).ConfigureAwait(false);
        }

        return tunnel.ToSnapshot();
    }

    /// <summary>
    /// Drops every relayed connection without a close frame. Used when the gateway stops: a close
    /// frame would make the reference proxy exit, an abrupt drop makes it reconnect.
    /// </summary>
    public void AbortAll()
    {
        foreach (var tunnel in _tunnels.Values)
        {
            foreach (var peer in tunnel.DetachAll())
            {
                peer.Abort();
            }
        }
    }

    /// <summary>
    /// For shutdown: stops the expiry timers and saves every open tunnel, so that its byte counters
    /// survive the restart. Connections should have been dropped with <see cref="AbortAll"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var tunnel in _tunnels.Values.Where(t => t.State == RelayTunnelState.Open))
        {
            tunnel.ExpiryTimer?.Dispose();
            try
            {
                await PersistAsync(tunnel, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StoreFailed(_logger, tunnel.Id, ex);
            }
        }
    }

    /// <summary>Stops the pruning timer. Connections and expiry timers are left to <see cref="AbortAll"/> and <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _pruneTimer?.Dispose();
        _opening.Dispose();
    }

    private void Register(RelayTunnel tunnel)
    {
        _tunnels[tunnel.Id] = tunnel;
        var (source, destination) = tunnel.TokenHashes();
        _byTokenHash[source] = (tunnel, TunnelEnd.Source);
        _byTokenHash[destination] = (tunnel, TunnelEnd.Destination);
    }

    /// <summary>Saves the tunnel's current state, in order with its other saves.</summary>
    private async Task PersistAsync(RelayTunnel tunnel, CancellationToken cancellationToken)
    {
        await tunnel.PersistGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.SaveAsync(tunnel.ToRecord(), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            tunnel.PersistGate.Release();
        }
    }

    private void ArmExpiry(RelayTunnel tunnel)
    {
        var due = tunnel.ExpiresAt - _time.GetUtcNow();
        tunnel.ExpiryTimer = _time.CreateTimer(
            static state =>
            {
                var (relay, expiring) = ((TunnelRelay, RelayTunnel))state!;
                _ = relay.EndAsync(expiring, RelayTunnelState.Expired, "Tunnel expired", CancellationToken.None);
            },
            (this, tunnel),
            due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Timeout.InfiniteTimeSpan);
    }

    private async Task EndAsync(RelayTunnel tunnel, RelayTunnelState state, string reason, CancellationToken cancellationToken)
    {
        if (tunnel.Finish(state, reason, _time.GetUtcNow()) is not { } peers)
        {
            return;
        }

        Log.TunnelEnded(_logger, tunnel.Id, state, reason);
        foreach (var peer in peers)
        {
            peer.RequestClose(WebSocketCloseStatus.NormalClosure, reason);
        }

        try
        {
            await PersistAsync(tunnel, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(_logger, tunnel.Id, ex);
        }
    }
}
