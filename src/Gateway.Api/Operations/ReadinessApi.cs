using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Operations;

/// <summary>
/// <c>GET /readyz</c>: runs the health checks tagged <see cref="ReadyTag"/> and answers ready, or a
/// 503 problem whose <c>detail</c> names each failing check and whose <c>checks</c> lists every
/// result. A minimal-API endpoint rather than MapHealthChecks, so that it is in the API document.
/// </summary>
internal static class ReadinessApi
{
    public const string ReadyTag = "ready";

    public static IEndpointConventionBuilder MapReadiness(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/readyz", ReadyAsync)
            .WithTags("Operations")
            .WithName("Readiness")
            .WithSummary("Readiness: the database answers and the engine runs")
            .WithDescription("503 with a problem naming the failing check (database, engine) otherwise. /healthz is liveness.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<Results<Ok<ReadinessResponse>, ProblemHttpResult>> ReadyAsync(HealthCheckService health, HttpContext context)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        var checks = report.Entries.ToDictionary(e => e.Key, e => Word(e.Value.Status), StringComparer.Ordinal);
        if (report.Status != HealthStatus.Unhealthy)
        {
            return TypedResults.Ok(new ReadinessResponse("ready", checks));
        }

        var failing = report.Entries
            .Where(e => e.Value.Status == HealthStatus.Unhealthy)
            .Select(e => $"{e.Key}: {e.Value.Description ?? "failed"}");
        return TypedResults.Problem(
            detail: "Failing checks: " + string.Join("; ", failing),
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The gateway is not ready",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["checks"] = checks });
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "failing",
    };
}
