using Gateway.Api.Auth;
using Gateway.Api.Data;
using Gateway.Api.History;
using Gateway.Api.Profiles;
using Gateway.Api.Relay;
using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Hosting;

/// <summary>
/// Applies database migrations and loads the relay's tunnels before the gateway takes traffic;
/// on shutdown drops relayed connections so that proxies reconnect to the next run.
/// </summary>
internal sealed partial class GatewayStartup(
    IDbContextFactory<GatewayDbContext> contexts,
    AdminBootstrap admins,
    SessionHistoryRecorder history,
    ProfileStore profiles,
    TunnelRelay relay,
    PairedTunnels paired,
    SessionManager sessions,
    IHostApplicationLifetime lifetime,
    StartupLogFilter startupLog,
    ILogger<GatewayStartup> logger) : IHostedLifecycleService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string dataSource = "?";
        try
        {
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                dataSource = db.Database.GetDbConnection().DataSource;
                RefuseEmptyFile(dataSource);
                bool isNew = dataSource.Length > 0 && !File.Exists(dataSource);
                Log.Migrating(logger, dataSource);
                await db.Database.MigrateAsync(cancellationToken);
                if (isNew)
                {
                    // SQLite creates the file with the process's umask (0644 as a rule); it holds password
                    // hashes and encrypted tokens: owner-only before the first user is written. The WAL
                    // and shared-memory files SQLite makes later take the database file's mode.
                    OwnerOnlyFiles.Restrict(dataSource, dataSource + "-wal", dataSource + "-shm", dataSource + "-journal");
                }
                await admins.EnsureAsync(db, cancellationToken);
            }

            await history.CloseOrphansAsync(cancellationToken);
            await profiles.ProtectStoredProxyPasswordsAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            // A corrupt, locked, read-only or foreign file: say which and what to do, not a stack trace.
            string hint = ex.SqliteErrorCode switch
            {
                5 or 6 => "it is locked: is another gateway using this data directory?",
                8 => "it is read-only: check the file's permissions and owner.",
                11 or 26 => "it is not a SQLite database or it is damaged: restore it from a backup or move it away to start with an empty one.",
                14 => "it cannot be opened: check that the data directory exists and is writable.",
                _ => ex.Message,
            };
            throw new GatewayStartupException($"The database {dataSource} cannot be used: {hint} (SQLite error {ex.SqliteErrorCode}: {ex.Message})", ex);
        }

        await relay.InitializeAsync(cancellationToken);
        await paired.CloseLeftOverAsync(cancellationToken);
        lifetime.ApplicationStopping.Register(relay.AbortAll);
    }

    /// <summary>
    /// SQLite takes a zero-length file for an empty database, and the migrations would silently make a
    /// new one in its place: a truncated file (a full disk, a failed copy) would lose every user, key and
    /// profile without a word. The operator decides: restore it, or remove it to start afresh.
    /// </summary>
    private static void RefuseEmptyFile(string dataSource)
    {
        if (dataSource.Length > 0 && File.Exists(dataSource) && new FileInfo(dataSource).Length == 0)
        {
            throw new GatewayStartupException(
                $"The database {dataSource} is an empty file (0 bytes), not a database: it was probably truncated. Restore it from a backup, or delete it to start with a new, empty database.");
        }
    }

    /// <summary>After Kestrel bound every address: only now is a generated admin password made and printed.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        startupLog.MarkStarted();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await admins.EnsureGeneratedAsync(db, cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Sessions end with a close frame; relayed connections were already dropped at ApplicationStopping.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        history.MarkShuttingDown();
        await sessions.StopAllAsync().WaitAsync(cancellationToken);
        await history.FlushAsync(TimeSpan.FromSeconds(5));
        await relay.StopAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Database {DataSource}: applying migrations")]
        public static partial void Migrating(ILogger logger, string dataSource);
    }
}
