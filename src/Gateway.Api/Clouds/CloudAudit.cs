using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Clouds;

/// <summary>Audit entries for what the gateway does by itself, not at a request: a rotation on a cloud to resume a session, an agent refusing a tunnel notification.</summary>
internal sealed partial class CloudAudit(IDbContextFactory<GatewayDbContext> contexts, TimeProvider time, ILogger<CloudAudit> logger)
{
    public async Task WriteAsync(string action, string? target, int status, string method = "POST")
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            db.AuditLog.Add(new AuditEntryEntity
            {
                At = time.GetUtcNow(),
                Actor = GatewayCloudKey.CallerName,
                Method = method,
                Path = action.Length <= 2048 ? action : action[..2048],
                Status = status,
                Target = target,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Log.WriteFailed(logger, action, ex.GetBaseException().Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3702, Level = LogLevel.Error, Message = "Could not write the audit entry for {Action}: {Error}")]
        public static partial void WriteFailed(ILogger logger, string action, string error);
    }
}
