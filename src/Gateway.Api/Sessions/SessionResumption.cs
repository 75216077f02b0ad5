using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Api.Data;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Sessions;

/// <summary>
/// Keeps every running session in the database (its whole spec, tokens included, encrypted) and
/// starts them again, under the same ids and with the same client tokens, when the gateway starts.
/// A session leaves the table when an operator stops it or when it ends by itself; a gateway
/// shutdown leaves it there.
/// </summary>
internal sealed partial class SessionResumption : IHostedService, IAsyncDisposable
{
    /// <summary>The protector's purpose: changing it makes every stored session unreadable.</summary>
    public const string Purpose = "TunnelGateway.RunningSessions.Spec.v1";

    /// <summary>Who a resumed session is recorded as started by.</summary>
    public const string ResumedBy = "resumed after restart";

    private readonly IDbContextFactory<GatewayDbContext> _contexts;
    private readonly SessionManager _sessions;
    private readonly IServiceProvider _services;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionResumption> _logger;
    private readonly IDataProtector _protector;
    private readonly ConcurrentDictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);

    // The close-on-stop choice of every session still in the manager, running or ended: a session
    // started again under its id (with a new token) keeps the choice it was opened with.
    private readonly ConcurrentDictionary<string, bool> _choices = new(StringComparer.Ordinal);
    private readonly Channel<Func<GatewayDbContext, Task>> _writes = Channel.CreateUnbounded<Func<GatewayDbContext, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    public SessionResumption(
        IDbContextFactory<GatewayDbContext> contexts,
        SessionManager sessions,
        IServiceProvider services,
        IHostApplicationLifetime lifetime,
        IDataProtectionProvider protection,
        TimeProvider time,
        ILogger<SessionResumption> logger)
    {
        _contexts = contexts;
        _sessions = sessions;
        _services = services;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        _protector = protection.CreateProtector(Purpose);
        _sessions.Changed += OnChanged;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Completes once the stored sessions were started again (or found unusable) at start.</summary>
    public Task Resumed => _resumed.Task;

    /// <summary>Whether stopping this session should close its tunnel on the cloud.</summary>
    public bool ClosesTunnelOnStop(string sessionId) => _tracked.TryGetValue(sessionId, out var tracked) && tracked.CloseTunnelOnStop;

    /// <summary>The close-on-stop choice the session was last started with, also once it ended; null when it is not known here.</summary>
    public bool? LastCloseTunnelOnStop(string sessionId) => _choices.TryGetValue(sessionId, out bool close) ? close : null;

    /// <summary>Stores a session that just started (or replaces its row, e.g. with a new token).</summary>
    public void Track(SessionSnapshot session, SessionSpec spec, string? startedBy, bool closeTunnelOnStop)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(spec);
        var tracked = new Tracked(closeTunnelOnStop);
        _tracked[session.Id] = tracked;
        _choices[session.Id] = closeTunnelOnStop;
        foreach (string known in _choices.Keys)
        {
            // The manager trims ended sessions without an event: forget their choices here.
            if (_sessions.Get(known) is null)
            {
                _choices.TryRemove(known, out _);
            }
        }

        string protectedSpec = _protector.Protect(SessionSpecStorage.ToJson(spec));
        var now = _time.GetUtcNow();
        Enqueue(async db =>
        {
            var row = await db.RunningSessions.SingleOrDefaultAsync(r => r.Id == session.Id);
            if (row is null)
            {
                row = new RunningSessionEntity { Id = session.Id, StartedAt = now };
                db.RunningSessions.Add(row);
            }

            row.Name = session.Name;
            row.Mode = spec.Mode.ToString();
            row.ProtectedSpec = protectedSpec;
            row.StartedBy = startedBy;
            row.ProfileId = spec.ProfileId;
            row.Cloud = spec.Tunnel?.Cloud;
            row.TunnelId = spec.Tunnel?.TunnelId;
            row.CloseTunnelOnStop = closeTunnelOnStop;
            row.UpdatedAt = now;
            await db.SaveChangesAsync();
        });
    }

    /// <summary>Stores a running session's new access token (after a rotation).</summary>
    public void UpdateSpec(string sessionId, SessionSpec spec)
    {
        if (!_tracked.ContainsKey(sessionId))
        {
            return;
        }

        string protectedSpec = _protector.Protect(SessionSpecStorage.ToJson(spec));
        var now = _time.GetUtcNow();
        Enqueue(db => db.RunningSessions.Where(r => r.Id == sessionId)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.ProtectedSpec, protectedSpec).SetProperty(r => r.UpdatedAt, now)));
    }

    /// <summary>The session is not to be resumed (an operator stopped it, or it ended).</summary>
    public void Forget(string sessionId)
    {
        if (_tracked.TryRemove(sessionId, out _))
        {
            Enqueue(db => db.RunningSessions.Where(r => r.Id == sessionId).ExecuteDeleteAsync());
        }
    }

    /// <summary>Waits until every change so far is written (tests, shutdown).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(_ =>
        {
            done.TrySetResult();
            return Task.CompletedTask;
        });
        await done.Task.WaitAsync(timeout);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(() => _ = ResumeAllAsync(_lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _resumed.TrySetResult();
        try
        {
            await FlushAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            Log.FlushTimedOut(_logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _sessions.Changed -= OnChanged;
        _writes.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private async Task ResumeAllAsync(CancellationToken stopping)
    {
        try
        {
            List<RunningSessionEntity> rows;
            await using (var db = await _contexts.CreateDbContextAsync(stopping))
            {
                rows = await db.RunningSessions.AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync(stopping);
            }

            var starter = _services.GetRequiredService<SessionStarter>();
            foreach (var row in rows)
            {
                await ResumeOneAsync(row, starter, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
        {
            Log.ResumeFailed(_logger, ex.Message);
        }
        finally
        {
            _resumed.TrySetResult();
        }
    }

    private async Task ResumeOneAsync(RunningSessionEntity row, SessionStarter starter, CancellationToken stopping)
    {
        SessionSpec? spec = null;
        try
        {
            spec = SessionSpecStorage.FromJson(_protector.Unprotect(row.ProtectedSpec));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
        }

        if (spec is null)
        {
            Log.NotResumed(_logger, row.Id, row.Name ?? "-", "its stored spec cannot be decrypted (the key ring in the data directory was lost or replaced)");
            Enqueue(db => db.RunningSessions.Where(r => r.Id == row.Id).ExecuteDeleteAsync());
            return;
        }

        // The cloud "local" and a built-in-relay profile are this gateway: reach it where it listens now.
        bool builtInRelay = spec.Tunnel?.Cloud == Clouds.CloudDirectory.LocalName
            || (spec.ProfileId is { } profileId && (await _services.GetRequiredService<Profiles.ProfileStore>().FindAsync(profileId, stopping))?.UseBuiltInRelay == true);
        if (builtInRelay && _services.GetRequiredService<Clouds.CloudDirectory>().ResolveLocal().Cloud is { } local)
        {
            spec = spec with { Endpoint = local.DataEndpoint, CaPath = spec.CaPath ?? local.CaPath };
        }

        var result = starter.Start(spec, row.StartedBy ?? ResumedBy, new SessionStartOptions { Id = row.Id }, closeTunnelOnStop: row.CloseTunnelOnStop, resumed: true);
        if (result.Started)
        {
            Log.Resumed(_logger, row.Id, row.Name ?? "-", spec.Mode.Name());
        }
        else
        {
            Log.NotResumed(_logger, row.Id, row.Name ?? "-", string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
            Enqueue(db => db.RunningSessions.Where(r => r.Id == row.Id).ExecuteDeleteAsync());
        }
    }

    private void OnChanged(SessionEvent e)
    {
        if (e.Kind == SessionEventKind.Removed)
        {
            _choices.TryRemove(e.Session.Id, out _);
        }

        // A shutdown stops every session: those are exactly the ones to resume.
        if (e.Kind == SessionEventKind.Changed
            && e.Session.State.IsFinal()
            && !_lifetime.ApplicationStopping.IsCancellationRequested)
        {
            Forget(e.Session.Id);
        }
    }

    private void Enqueue(Func<GatewayDbContext, Task> write) => _writes.Writer.TryWrite(write);

    private async Task WriteLoopAsync()
    {
        await foreach (var write in _writes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await using var db = await _contexts.CreateDbContextAsync().ConfigureAwait(false);
                await write(db).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                Log.WriteFailed(_logger, ex.Message);
            }
        }
    }

    private sealed record Tracked(bool CloseTunnelOnStop);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3710, Level = LogLevel.Information, Message = "Resumed session {SessionId} ({Name}, {Mode}) after the restart")]
        public static partial void Resumed(ILogger logger, string sessionId, string name, string mode);

        [LoggerMessage(EventId = 3711, Level = LogLevel.Warning, Message = "Session {SessionId} ({Name}) was not resumed: {Reason}")]
        public static partial void NotResumed(ILogger logger, string sessionId, string name, string reason);

        [LoggerMessage(EventId = 3712, Level = LogLevel.Error, Message = "Resuming sessions failed: {Error}")]
        public static partial void ResumeFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 3713, Level = LogLevel.Error, Message = "Could not store a running session: {Error}")]
        public static partial void WriteFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 3714, Level = LogLevel.Warning, Message = "Storing running sessions did not finish within 5 s at shutdown")]
        public static partial void FlushTimedOut(ILogger logger);
    }
}
