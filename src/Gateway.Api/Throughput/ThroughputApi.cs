using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Throughput;

/// <summary><c>GET /api/tunnels/{id}/throughput?range=</c>: a session's throughput history, kept by the gateway (<see cref="ThroughputHistory"/>).</summary>
internal static class ThroughputApi
{
    public static readonly IReadOnlyDictionary<string, TimeSpan> Ranges = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["6h"] = TimeSpan.FromHours(6),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
    };

    public static IEndpointRouteBuilder MapThroughputApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tunnels/{id}/throughput", Get)
            .WithTags("Tunnels")
            .WithName("GetTunnelThroughput")
            .WithSummary("A session's throughput history: 5 s samples for the last hour, 1 min averages for 7 days")
            .WithDescription("range: 15m, 1h (default; 5 s samples), 6h, 24h or 7d (1 min averages). Kept in memory while the session is listed.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    /// <param name="id">The session's id.</param>
    /// <param name="range">15m, 1h (default), 6h, 24h or 7d.</param>
    /// <param name="sessions">The session manager.</param>
    /// <param name="history">The throughput history.</param>
    private static Results<Ok<ThroughputResponse>, ValidationProblem, ProblemHttpResult> Get(string id, string? range, SessionManager sessions, ThroughputHistory history)
    {
        range = string.IsNullOrEmpty(range) ? "1h" : range;
        if (!Ranges.TryGetValue(range, out var span))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["range"] = [$"'{range}' is not a range; use one of {string.Join(", ", Ranges.Keys)}."] });
        }

        if (sessions.Get(id) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No session has id '{id}'.");
        }

        // A session beyond the tracked limit (or not sampled yet) has no points.
        var points = history.Get(id, span);
        int resolution = span <= TimeSpan.FromHours(1) ? ThroughputHistory.FineSeconds : ThroughputHistory.CoarseSeconds;
        return TypedResults.Ok(new ThroughputResponse(id, range, points?.ResolutionSeconds ?? resolution, points?.T ?? [], points?.ToTunnel ?? [], points?.FromTunnel ?? []));
    }
}
