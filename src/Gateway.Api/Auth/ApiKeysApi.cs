using Gateway.Api.Data;
using Gateway.Api.Hubs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auth;

/// <summary><c>/api/keys</c>: API keys, created (shown once), listed and revoked by an admin.</summary>
internal static class ApiKeysApi
{
    public const int MaxNameLength = 128;

    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/keys").WithTags("API keys");
        group.MapPost("/", CreateAsync).WithName("CreateApiKey")
            .WithSummary("Create an API key (admin); the answer is the only time the key is shown");
        // Admin only: key names, roles and last use are a map of the automation for an attacker.
        group.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("List API keys, without the keys themselves (admin)").RequireAuthorization(AuthExtensions.AdminPolicy);
        group.MapDelete("/{id}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key (admin): it stops working at once");
        return endpoints;
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        CreateApiKeyBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        string name = body?.Name?.Trim() ?? string.Empty;
        if (name.Length == 0 || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"The name is required: 1 to {MaxNameLength} characters, no control characters."];
        }

        if (!Roles.IsValid(body?.Role))
        {
            errors["role"] = [$"The role must be one of {string.Join(", ", Roles.All)}."];
        }

        if (body?.ExpiresInDays is { } days && days is < 1 or > 3650)
        {
            errors["expiresInDays"] = ["expiresInDays must be between 1 and 3650."];
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        if (!errors.ContainsKey("name") && await db.ApiKeys.AnyAsync(k => k.Name == name && k.RevokedAt == null, context.RequestAborted))
        {
            errors["name"] = [$"An active key is already named '{name}'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var (id, key) = ApiKeys.Generate();
        var entity = new ApiKeyEntity
        {
            Id = id,
            Name = name,
            KeyHash = ApiKeys.Hash(key),
            Role = body!.Role!,
            CreatedAt = now,
            CreatedBy = context.User.Identity?.Name,
            ExpiresAt = body.ExpiresInDays is { } d ? now.AddDays(d) : null,
        };
        db.ApiKeys.Add(entity);
        await db.SaveChangesAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = id;
        return TypedResults.Created($"/api/keys/{id}", new CreatedApiKeyResponse(id, name, entity.Role, key, now, entity.ExpiresAt));
    }

    private static async Task<Ok<List<ApiKeyResponse>>> ListAsync(IDbContextFactory<GatewayDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.OrderBy(k => k.CreatedAt)
            .Select(k => new ApiKeyResponse(k.Id, k.Name, k.Role, k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.LastUsedAt, k.RevokedAt))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, HubConnectionRegistry hubs, TimeProvider time)
    {
        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = id;
        if (key is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such API key", detail: $"No API key has the id '{id}'.");
        }

        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(context.RequestAborted);
        hubs.CloseForApiKey(id);
        return TypedResults.NoContent();
    }
}
