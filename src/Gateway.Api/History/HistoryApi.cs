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

    private const string LikeEscape = "\\";

    private static readonly string[] EndStates = ["Closed", "Failed", "Stopped"];

    // As the history stores them (the engine's SessionMode names).
    private static readonly string[] Modes = ["Source", "Destination"];

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/history", ListHistoryAsync).WithTags("History").WithName("ListSessionHistory")
            .WithSummary("Past and running sessions, newest first: who started them, the spec without secrets, how they ended, bytes each way");
        endpoints.MapGet("/api/audit", ListAuditAsync).WithTags("History").WithName("ListAuditLog")
            .RequireAuthorization(AuthExtensions.AdminPolicy)
            .WithSummary("Every mutating API call, newest first (admin)");
        return endpoints;
    }

    /// <param name="contexts">The database.</param>
    /// <param name="q">Text found (case-insensitively) in the name, id, endpoint, who started it or the end reason.</param>
    /// <param name="profileId">Only sessions started from this profile.</param>
    /// <param name="state">running, Closed, Failed or Stopped.</param>
    /// <param name="mode">source or destination.</param>
    /// <param name="startedBy">Only sessions this user (or <c>key:NAME</c>) started.</param>
    /// <param name="since">Started at or after this time (ISO 8601).</param>
    /// <param name="until">Started before this time (ISO 8601).</param>
    /// <param name="limit">At most this many (1-1000, default 100), newest first.</param>
    /// <param name="cancellationToken">The request's.</param>
    private static async Task<Results<Ok<List<SessionHistoryResponse>>, ValidationProblem>> ListHistoryAsync(
        IDbContextFactory<GatewayDbContext> contexts, string? q, string? profileId, string? state, string? mode, string? startedBy,
        DateTimeOffset? since, DateTimeOffset? until, int? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        AddLimitError(limit, errors);
        string? endState = null;
        bool running = false;
        if (!string.IsNullOrEmpty(state))
        {
            running = string.Equals(state, "running", StringComparison.OrdinalIgnoreCase);
            endState = EndStates.FirstOrDefault(s => string.Equals(s, state, StringComparison.OrdinalIgnoreCase));
            if (!running && endState is null)
            {
                errors["state"] = [$"'{state}' is not a state; use running, {string.Join(", ", EndStates)}."];
            }
        }

        string? modeName = null;
        if (!string.IsNullOrEmpty(mode))
        {
            modeName = Modes.FirstOrDefault(m => string.Equals(m, mode, StringComparison.OrdinalIgnoreCase));
            if (modeName is null)
            {
                errors["mode"] = [$"'{mode}' is not a mode; use source or destination."];
            }
        }

        AddRangeError(since, until, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.SessionHistory.AsNoTracking();
        if (!string.IsNullOrEmpty(profileId))
        {
            query = query.Where(h => h.ProfileId == profileId);
        }

        if (running)
        {
            query = query.Where(h => h.EndedAt == null);
        }
        else if (endState is not null)
        {
            query = query.Where(h => h.EndState == endState);
        }

        if (modeName is not null)
        {
            query = query.Where(h => h.Mode == modeName);
        }

        if (!string.IsNullOrEmpty(startedBy))
        {
            query = query.Where(h => h.StartedBy == startedBy);
        }

        if (since is { } from)
        {
            query = query.Where(h => h.StartedAt >= from);
        }

        if (until is { } to)
        {
            query = query.Where(h => h.StartedAt < to);
        }

        if (LikePattern(q) is { } pattern)
        {
            query = query.Where(h => EF.Functions.Like(h.Id, pattern, LikeEscape)
                || (h.Name != null && EF.Functions.Like(h.Name, pattern, LikeEscape))
                || EF.Functions.Like(h.Endpoint, pattern, LikeEscape)
                || (h.StartedBy != null && EF.Functions.Like(h.StartedBy, pattern, LikeEscape))
                || (h.EndReason != null && EF.Functions.Like(h.EndReason, pattern, LikeEscape)));
        }

        var rows = await query.OrderByDescending(h => h.StartedAt).Take(limit ?? DefaultLimit).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(h => new SessionHistoryResponse(
            h.Id, h.Name, h.ProfileId, h.Mode, h.Endpoint, ParseSpec(h.SpecJson), h.StartedBy, h.StartedAt, h.EndedAt, h.EndState, h.EndReason, h.BytesToTunnel, h.BytesFromTunnel)).ToList());
    }

    /// <param name="contexts">The database.</param>
    /// <param name="q">Text found (case-insensitively) in the path, the target, the actor or the address.</param>
    /// <param name="actor">Only calls by this user (or <c>key:NAME</c>, <c>anonymous</c>).</param>
    /// <param name="area">sessions, relay, profiles, users, api-keys, aws-keys, auth or aws-api (calls of the AWS management API).</param>
    /// <param name="outcome">allowed (status below 400) or refused.</param>
    /// <param name="since">At or after this time (ISO 8601).</param>
    /// <param name="until">Before this time (ISO 8601).</param>
    /// <param name="limit">At most this many (1-1000, default 100), newest first.</param>
    /// <param name="beforeId">Only entries older than this id (the next page).</param>
    /// <param name="cancellationToken">The request's.</param>
    private static async Task<Results<Ok<List<AuditEntryResponse>>, ValidationProblem>> ListAuditAsync(
        IDbContextFactory<GatewayDbContext> contexts, string? q, string? actor, string? area, string? outcome,
        DateTimeOffset? since, DateTimeOffset? until, int? limit, long? beforeId, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        AddLimitError(limit, errors);
        string? prefix = null;
        if (!string.IsNullOrEmpty(area) && !AuditActions.Areas.TryGetValue(area, out prefix))
        {
            errors["area"] = [$"'{area}' is not an area; use one of {string.Join(", ", AuditActions.Areas.Keys)}."];
        }

        if (!string.IsNullOrEmpty(outcome) && outcome is not ("allowed" or "refused"))
        {
            errors["outcome"] = [$"'{outcome}' is not an outcome; use allowed or refused."];
        }

        AddRangeError(since, until, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (beforeId is { } before)
        {
            query = query.Where(a => a.Id < before);
        }

        if (!string.IsNullOrEmpty(actor))
        {
            query = query.Where(a => a.Actor == actor);
        }

        if (prefix is not null)
        {
            // The AWS API's entries are "/ IoTSecuredTunneling.Operation": the prefix then ends in a dot.
            string under = LikeLiteral(prefix) + (prefix.EndsWith('.') ? "%" : "/%");
            query = query.Where(a => a.Path == prefix || EF.Functions.Like(a.Path, under, LikeEscape));
        }

        if (outcome == "allowed")
        {
            query = query.Where(a => a.Status < 400);
        }
        else if (outcome == "refused")
        {
            query = query.Where(a => a.Status >= 400);
        }

        if (since is { } from)
        {
            query = query.Where(a => a.At >= from);
        }

        if (until is { } to)
        {
            query = query.Where(a => a.At < to);
        }

        if (LikePattern(q) is { } pattern)
        {
            query = query.Where(a => EF.Functions.Like(a.Path, pattern, LikeEscape)
                || EF.Functions.Like(a.Actor, pattern, LikeEscape)
                || (a.Target != null && EF.Functions.Like(a.Target, pattern, LikeEscape))
                || (a.RemoteAddress != null && EF.Functions.Like(a.RemoteAddress, pattern, LikeEscape)));
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(limit ?? DefaultLimit).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(a => new AuditEntryResponse(
            a.Id, a.At, a.Actor, a.Method, a.Path, a.Status, a.Target, a.RemoteAddress, AuditActions.Describe(a.Method, a.Path))).ToList());
    }

    /// <summary>A LIKE pattern finding <paramref name="q"/> anywhere (its own % and _ taken literally); null when there is nothing to find.</summary>
    private static string? LikePattern(string? q)
    {
        string text = q?.Trim() ?? string.Empty;
        return text.Length == 0 ? null : "%" + LikeLiteral(text) + "%";
    }

    private static string LikeLiteral(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static void AddLimitError(int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }
    }

    private static void AddRangeError(DateTimeOffset? since, DateTimeOffset? until, Dictionary<string, string[]> errors)
    {
        if (since is { } from && until is { } to && to <= from)
        {
            errors["until"] = ["until must be later than since."];
        }
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
