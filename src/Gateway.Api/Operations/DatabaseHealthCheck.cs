using Gateway.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Operations;

/// <summary>Readiness: the SQLite database answers a query and can be written.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<GatewayDbContext> contexts, DatabaseFaults faults) : IHealthCheck
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
            if (await MissingTablesAsync(db, cancellationToken) is { Count: > 0 } missing)
            {
                return HealthCheckResult.Unhealthy($"The database lacks the table(s) {string.Join(", ", missing)}: it is not the gateway's schema (restore it from a backup).");
            }

            return await ReadOnlyAsync(db.Database.GetConnectionString()!, cancellationToken) is { } readOnly
                ? HealthCheckResult.Unhealthy(readOnly)
                : HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer a query.", ex);
        }
    }

    /// <summary>The model's tables that are not in the database (one query of <c>sqlite_master</c>).</summary>
    private static async Task<List<string>> MissingTablesAsync(GatewayDbContext db, CancellationToken cancellationToken)
    {
        var present = await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'").ToListAsync(cancellationToken);
        return [.. db.Model.GetEntityTypes().Select(t => t.GetTableName()).OfType<string>().Distinct().Where(t => !present.Contains(t, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Opens the file afresh, outside the pool (a pooled connection says how the file was when it was
    /// opened): the read-only fault's description when SQLite can only read it. A writable file ends a
    /// recorded fault, so the pool is renewed even when no request came meanwhile.
    /// </summary>
    private async Task<string?> ReadOnlyAsync(string connectionString, CancellationToken cancellationToken)
    {
        var probe = new SqliteConnectionStringBuilder(connectionString) { Pooling = false, Mode = SqliteOpenMode.ReadWrite };
        await using var connection = new SqliteConnection(probe.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (DatabaseFaults.IsReadOnly(connection))
        {
            faults.Opened(connection);
            return faults.ReadOnlyFault;
        }

        faults.Writable(connection);
        return null;
    }
}
