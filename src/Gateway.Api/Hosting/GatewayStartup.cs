using Gateway.Api.Auth;
using Gateway.Api.Data;
using Gateway.Api.History;
using Gateway.Api.Profiles;
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
    SessionManager sessions,
    IHostApplicationLifetime lifetime,
    ILogger<GatewayStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string dataSource = "?";
        try
        {
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                dataSource = db.Database.GetDbConnection().DataSource;
                Log.Migrating(logger, dataSource);
                await db.Database.MigrateAsync(cancellationToken);
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
        lifetime.ApplicationStopping.Register(relay.AbortAll);
    }

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
