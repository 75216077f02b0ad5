using Gateway.Api.Auth;
using Gateway.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Audit;

/// <summary>
/// Records every mutating API call (POST/PUT/PATCH/DELETE under <c>/api</c>) by a logged-in caller,
/// allowed or not, and every login attempt: who, what, when, the status, and the id acted on when the
/// endpoint names it. Never the body (tokens).
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
        int? failedStatus = null;
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            // The exception handler further out turns it into the answer: record what it will send.
            failedStatus = ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            throw;
        }
        finally
        {
            // Refusals of callers with no login are not calls anyone made (and would let anyone
            // grow the table); failed logins are kept.
            bool anonymousRefusal = context.User.Identity?.IsAuthenticated != true
                && (failedStatus ?? context.Response.StatusCode) == StatusCodes.Status401Unauthorized
                && !context.Request.Path.StartsWithSegments("/api/auth/login", StringComparison.OrdinalIgnoreCase);
            if (!anonymousRefusal)
            {
                await WriteAsync(context, at, failedStatus ?? context.Response.StatusCode);
            }
        }
    }

    private async Task WriteAsync(HttpContext context, DateTimeOffset at, int status)
    {
        var entry = new AuditEntryEntity
        {
            At = at,
            Actor = Truncate(context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "?" : "anonymous", 160),
            Method = context.Request.Method,
            Path = Truncate(context.Request.Path.Value ?? string.Empty, 2048),
            Status = status,
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
            Log.AuditWriteFailed(logger, entry.Method, entry.Path, ex.GetBaseException().Message);
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    private static partial class Log
    {
        [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Could not write the audit entry for {Method} {Path}: {Error}")]
        public static partial void AuditWriteFailed(ILogger logger, string method, string path, string error);
    }
}
