using System.Threading.Channels;
using Gateway.Api.Data;
using Gateway.Engine.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.History;

/// <summary>
/// Writes the history of every session: a row when it starts (who, which profile, the spec without
/// secrets) and its end (state, reason, bytes). Engine events only enqueue; one background loop
/// writes, so the data path never waits for SQLite.
/// </summary>
internal sealed partial class SessionHistoryRecorder : IAsyncDisposable
{
    public const string ShutdownReason = "stopped by gateway shutdown";

    private readonly Channel<HistoryWrite> _writes = Channel.CreateUnbounded<HistoryWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDbContextFactory<GatewayDbContext> _contexts;
    private readonly SessionManager _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionHistoryRecorder> _logger;
    private readonly Task _loop;
    private volatile bool _shuttingDown;

    public SessionHistoryRecorder(IDbContextFactory<GatewayDbContext> contexts, SessionManager sessions, TimeProvider time, ILogger<SessionHistoryRecorder> logger)
    {
        _contexts = contexts;
        _sessions = sessions;
        _time = time;
        _logger = logger;
        _sessions.Changed += OnChanged;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records a started session. <paramref name="specJson"/> must hold no token.</summary>
    public void RecordStart(SessionSnapshot session, string? startedBy, string? profileId, string specJson) =>
        _writes.Writer.TryWrite(new HistoryWrite(session, startedBy, profileId, specJson, IsStart: true));

    /// <summary>From now on, sessions that stop are recorded as stopped by the shutdown.</summary>
    public void MarkShuttingDown() => _shuttingDown = true;

    /// <summary>Sessions left open by a previous run that did not stop cleanly: closed with a reason.</summary>
    public async Task CloseOrphansAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        int closed = await db.SessionHistory.Where(h => h.EndedAt == null).ExecuteUpdateAsync(
            s => s.SetProperty(h => h.EndedAt, _time.GetUtcNow())
                .SetProperty(h => h.EndState, nameof(SessionState.Stopped))
                .SetProperty(h => h.EndReason, "the gateway stopped without recording this session's end"),
            cancellationToken);
        if (closed > 0)
        {
            Log.OrphansClosed(_logger, closed);
        }
    }

    /// <summary>Waits (bounded) until everything enqueued so far is written; false if the bound passed first.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(new HistoryWrite(null, null, null, null, IsStart: false, Flushed: done)))
        {
            return true;
        }

        try
        {
            await done.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            Log.FlushTimedOut(_logger, timeout.TotalSeconds);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _sessions.Changed -= OnChanged;
        _writes.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private void OnChanged(SessionEvent e)
    {
        if (e.Kind == SessionEventKind.Changed && e.Session.State.IsFinal())
        {
            _writes.Writer.TryWrite(new HistoryWrite(e.Session, null, null, null, IsStart: false, Shutdown: _shuttingDown));
        }
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var write in _writes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (write.Flushed is { } flushed)
            {
                flushed.TrySetResult();
                continue;
            }

            try
            {
                await using var db = await _contexts.CreateDbContextAsync().ConfigureAwait(false);
                var session = write.Session!;
                var row = await db.SessionHistory.SingleOrDefaultAsync(h => h.Id == session.Id).ConfigureAwait(false);
                if (row is null)
                {
                    row = new SessionHistoryEntity { Id = session.Id, StartedAt = session.CreatedAt };
                    db.SessionHistory.Add(row);
                }

                row.Name = session.Name;
                row.Mode = session.Mode.ToString();
                row.Endpoint = session.Endpoint;
                if (write.IsStart)
                {
                    row.StartedBy = write.StartedBy;
                    row.ProfileId = write.ProfileId;
                    row.SpecJson = write.SpecJson ?? "{}";

                    // A session resumed after a restart runs again under its id.
                    row.EndedAt = null;
                    row.EndState = null;
                    row.EndReason = null;
                }

                if (session.EndedAt is { } ended)
                {
                    row.EndedAt = ended;
                    row.EndState = session.State.ToString();
                    row.EndReason = write.Shutdown && session.State == SessionState.Stopped ? ShutdownReason : session.StateReason;
                    row.BytesToTunnel = session.BytesToTunnel;
                    row.BytesFromTunnel = session.BytesFromTunnel;
                }

                await db.SaveChangesAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                Log.WriteFailed(_logger, write.Session?.Id ?? "?", ex.Message);
            }
        }
    }

    private sealed record HistoryWrite(SessionSnapshot? Session, string? StartedBy, string? ProfileId, string? SpecJson, bool IsStart, bool Shutdown = false, TaskCompletionSource? Flushed = null);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3200, Level = LogLevel.Error, Message = "Could not write the history of session {SessionId}: {Error}")]
        public static partial void WriteFailed(ILogger logger, string sessionId, string error);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "The session history was not fully written within {Seconds} s")]
        public static partial void FlushTimedOut(ILogger logger, double seconds);

        [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Closed {Count} session(s) the previous run left open in the history")]
        public static partial void OrphansClosed(ILogger logger, int count);
    }
}
