using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Agents;

/// <summary>
/// Runs one <see cref="AgentConnection"/> per enabled agent from the database, from the gateway's
/// start; <see cref="ReloadAsync"/> applies a change made through the API. Agents are independent:
/// one that cannot connect or gets bad payloads does not touch the others. Its instruments are on
/// the gateway's meter (<c>tunnelgateway.agent.*</c>, one series per agent).
/// </summary>
internal sealed partial class AgentRuntime : IHostedService, IAsyncDisposable
{
    private readonly IDbContextFactory<GatewayDbContext> _contexts;
    private readonly AgentSecrets _secrets;
    private readonly AgentSessions _sessions;
    private readonly AgentNotices _notices;
    private readonly IOptions<AgentsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<AgentRuntime> _logger;
    private readonly ConcurrentDictionary<string, AgentConnection> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _broken = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private int _disposed;

    public AgentRuntime(
        IDbContextFactory<GatewayDbContext> contexts,
        AgentSecrets secrets,
        AgentSessions sessions,
        AgentNotices notices,
        IOptions<AgentsOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        IHostApplicationLifetime lifetime,
        IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(loggers);
        _contexts = contexts;
        _secrets = secrets;
        _sessions = sessions;
        _notices = notices;
        _options = options;
        _time = time;
        _loggers = loggers;
        _lifetime = lifetime;
        _logger = loggers.CreateLogger<AgentRuntime>();
        var meter = meters.Create(Operations.GatewayMetrics.MeterName);
        meter.CreateObservableGauge("tunnelgateway.agent.connected", ObserveConnected, "{agent}",
            "1 for an agent connected to its broker and subscribed to its notify topic, 0 otherwise; tag agent.");
        meter.CreateObservableCounter("tunnelgateway.agent.notifications", ObserveNotifications, "{notification}",
            "Tunnel notifications an agent received since it was (re)configured, by result: started, duplicate, refused, invalid, failed, superseded.");
        meter.CreateObservableCounter("tunnelgateway.agent.sessions_started", ObserveSessionsStarted, "{session}",
            "Destination sessions an agent started since it was (re)configured.");
    }

    /// <summary>The agent's state now; <c>disabled</c> for one not running (disabled or unknown).</summary>
    public AgentStatus Status(string name) =>
        _running.TryGetValue(name, out var connection) ? connection.Status
        : _broken.TryGetValue(name, out var error) ? AgentStatus.Disabled(name) with { State = "disconnected", LastError = error }
        : AgentStatus.Disabled(name);

    /// <summary>Agents start once the gateway has started (its database migrated, its relay listening).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(() => _ = StartAllAsync(_lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    private async Task StartAllAsync(CancellationToken cancellationToken)
    {
        List<string> names;
        try
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
            names = await db.Agents.AsNoTracking().Where(a => a.Enabled).Select(a => a.Name).ToListAsync(cancellationToken);
            foreach (var name in names)
            {
                await ReloadAsync(name, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Log.LoadFailed(_logger, ex.GetBaseException().Message);
            return;
        }

        if (names.Count > 0)
        {
            Log.Started(_logger, names.Count);
        }
    }

    /// <summary>Stops the agent's connection (if any) and starts it again from the database when it is there and enabled.</summary>
    public async Task ReloadAsync(string name, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (_running.TryRemove(name, out var old))
            {
                await old.DisposeAsync();
            }

            _broken.TryRemove(name, out _);
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
            var entity = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancellationToken);
            if (entity is { Enabled: true })
            {
                var (config, error) = AgentConfig.From(entity, _secrets);
                if (config is null)
                {
                    _broken[name] = error!;
                    Log.CannotRun(_logger, name, error!);
                }
                else
                {
                    var connection = new AgentConnection(config, _options.Value, _sessions, _notices, _time, _loggers.CreateLogger<AgentConnection>());
                    _running[name] = connection;
                    connection.Start();
                }
            }
        }
        finally
        {
            _changes.Release();
        }

        _notices.Changed(name);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            await Task.WhenAll(_running.Values.Select(c => c.DisposeAsync().AsTask()));
            _running.Clear();
        }
        finally
        {
            _changes.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes it twice (as itself and as the hosted service's factory result).
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopAsync(CancellationToken.None);
            _changes.Dispose();
        }
    }

    private IEnumerable<Measurement<int>> ObserveConnected() =>
        _running.Values.Select(c => new Measurement<int>(c.IsConnected ? 1 : 0, new KeyValuePair<string, object?>("agent", c.Name)));

    private IEnumerable<Measurement<long>> ObserveNotifications() =>
        _running.Values.SelectMany(c => Enum.GetValues<NotificationResult>().Select(r => new Measurement<long>(c.Count(r),
            new KeyValuePair<string, object?>("agent", c.Name), new KeyValuePair<string, object?>("result", AgentConnection.ResultName(r)))));

    private IEnumerable<Measurement<long>> ObserveSessionsStarted() =>
        _running.Values.Select(c => new Measurement<long>(c.SessionsStarted, new KeyValuePair<string, object?>("agent", c.Name)));

    private static partial class Log
    {
        [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Started {Count} agent(s)")]
        public static partial void Started(ILogger logger, int count);

        [LoggerMessage(EventId = 4021, Level = LogLevel.Error, Message = "Agent '{Agent}' cannot run: {Error}")]
        public static partial void CannotRun(ILogger logger, string agent, string error);

        [LoggerMessage(EventId = 4022, Level = LogLevel.Error, Message = "The agents could not be read from the database: {Error}")]
        public static partial void LoadFailed(ILogger logger, string error);
    }
}
