using Gateway.Api.Auth;
using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Audit;

/// <summary>
/// Records every mutating API call (POST/PUT/PATCH/DELETE under <c>/api</c>), allowed or not: who,
/// what, when, the status, and the id acted on when the endpoint names it. Never the body (tokens).
/// </summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, IDbContextFactory<GatewayDbContext> contexts, TimeProvider time, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        bool audited = request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method));
        if (!audited)
        {
            await next(context);
            return;
        }

        var at = time.GetUtcNow();
        try
        {
            await next(context);
        }
        finally
        {
            await WriteAsync(context, at);
        }
    }

    private async Task WriteAsync(HttpContext context, DateTimeOffset at)
    {
        var entry = new AuditEntryEntity
        {
            At = at,
            Actor = Truncate(context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "?" : "anonymous", 160),
            Method = context.Request.Method,
            Path = Truncate(context.Request.Path.Value ?? string.Empty, 2048),
            Status = context.Response.StatusCode,
            Target = context.Items.TryGetValue(AuditTarget.ItemKey, out var target) ? Truncate(target?.ToString() ?? string.Empty, 256) : null,
            RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
        };
        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            db.AuditLog.Add(entry);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Never fail the call because the audit row could not be written; say so loudly.
            Log.AuditWriteFailed(logger, entry.Method, entry.Path, ex.Message);
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    private static partial class Log
    {
        [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Could not write the audit entry for {Method} {Path}: {Error}")]
        public static partial void AuditWriteFailed(ILogger logger, string method, string path, string error);
    }
}
