using System.Text.Json;
using Gateway.Api.Auth;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.History;

/// <summary><c>/api/history</c> (past sessions, viewers) and <c>/api/audit</c> (mutating calls, admins), newest first.</summary>
internal static class HistoryApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/history", ListHistoryAsync).WithTags("History").WithName("ListSessionHistory")
            .WithSummary("Past and running sessions, newest first: who started them, the spec without secrets, how they ended, bytes each way");
        endpoints.MapGet("/api/audit", ListAuditAsync).WithTags("History").WithName("ListAuditLog")
            .RequireAuthorization(AuthExtensions.AdminPolicy)
            .WithSummary("Every mutating API call, newest first (admin)");
        return endpoints;
    }

    private static async Task<Results<Ok<List<SessionHistoryResponse>>, ValidationProblem>> ListHistoryAsync(
        IDbContextFactory<GatewayDbContext> contexts, string? profileId, string? state, int? limit, CancellationToken cancellationToken)
    {
        if (!ValidLimit(limit, out var problem))
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.SessionHistory.AsNoTracking();
        if (!string.IsNullOrEmpty(profileId))
        {
            query = query.Where(h => h.ProfileId == profileId);
        }

        if (!string.IsNullOrEmpty(state))
        {
            query = string.Equals(state, "running", StringComparison.OrdinalIgnoreCase)
                ? query.Where(h => h.EndedAt == null)
                : query.Where(h => h.EndState == state);
        }

        var rows = await query.OrderByDescending(h => h.StartedAt).Take(limit ?? DefaultLimit).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(h => new SessionHistoryResponse(
            h.Id, h.Name, h.ProfileId, h.Mode, h.Endpoint, ParseSpec(h.SpecJson), h.StartedBy, h.StartedAt, h.EndedAt, h.EndState, h.EndReason, h.BytesToTunnel, h.BytesFromTunnel)).ToList());
    }

    private static async Task<Results<Ok<List<AuditEntryResponse>>, ValidationProblem>> ListAuditAsync(
        IDbContextFactory<GatewayDbContext> contexts, int? limit, long? beforeId, CancellationToken cancellationToken)
    {
        if (!ValidLimit(limit, out var problem))
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (beforeId is { } before)
        {
            query = query.Where(a => a.Id < before);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(limit ?? DefaultLimit).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(a => new AuditEntryResponse(a.Id, a.At, a.Actor, a.Method, a.Path, a.Status, a.Target, a.RemoteAddress)).ToList());
    }

    private static bool ValidLimit(int? limit, out ValidationProblem? problem)
    {
        problem = limit is < 1 or > MaxLimit
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxLimit}."] })
            : null;
        return problem is null;
    }

    private static JsonElement ParseSpec(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
