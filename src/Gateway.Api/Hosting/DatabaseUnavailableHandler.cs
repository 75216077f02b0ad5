using Gateway.Api.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Hosting;

/// <summary>
/// A request that failed because the database cannot be written or opened for now (read-only, full,
/// missing): a 503 ProblemDetails naming the cause, with Retry-After, instead of a bare 500.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, IDbContextFactory<GatewayDbContext> contexts) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception error, CancellationToken cancellationToken)
    {
        if (DatabaseFaults.FindUnavailable(error) is not { } sqlite)
        {
            return false;
        }

        string dataSource;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            dataSource = db.Database.GetDbConnection().DataSource;
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable",
                Detail = DatabaseFaults.Describe(sqlite, dataSource),
                Extensions = { ["sqliteError"] = sqlite.SqliteErrorCode },
            },
        });
        return true;
    }
}
