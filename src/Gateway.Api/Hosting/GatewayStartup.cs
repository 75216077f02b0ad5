using Gateway.Api.Data;
using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Hosting;

/// <summary>
/// Applies database migrations and loads the relay's tunnels before the gateway takes traffic;
/// on shutdown drops relayed connections so that proxies reconnect to the next run.
/// </summary>
internal sealed partial class GatewayStartup(
    IDbContextFactory<GatewayDbContext> contexts,
    TunnelRelay relay,
    SessionManager sessions,
    IHostApplicationLifetime lifetime,
    ILogger<GatewayStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            Log.Migrating(logger, db.Database.GetDbConnection().DataSource);
            await db.Database.MigrateAsync(cancellationToken);
        }

        await relay.InitializeAsync(cancellationToken);
        lifetime.ApplicationStopping.Register(relay.AbortAll);
    }

    // Sessions end with a close frame; relayed connections were already dropped at ApplicationStopping.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await sessions.StopAllAsync().WaitAsync(cancellationToken);
        await relay.StopAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Database {DataSource}: applying migrations")]
        public static partial void Migrating(ILogger logger, string dataSource);
    }
}
