using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Operations;

/// <summary>Readiness: the SQLite database answers a query.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<GatewayDbContext> contexts) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);

            // For a SQLite file CanConnect only asks whether the file exists (and checking first
            // keeps the query below from creating an empty one); the query proves that it is a
            // database with our schema that can be read.
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("The database cannot be reached (for SQLite: its file is missing).");
            }

            await db.RelayTunnels.AnyAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer a query.", ex);
        }
    }
}
