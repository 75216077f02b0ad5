using Gateway.Api.Auth;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Aws;

/// <summary>
/// <c>/api/aws-keys</c> (admin only): access keys for the relay's AWS management API. Each acts as a
/// gateway user, whose role decides what the key may do; the secret is shown once, at creation.
/// </summary>
internal static class AwsKeysApi
{
    public const int MaxNameLength = 128;

    public static IEndpointRouteBuilder MapAwsKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/aws-keys").WithTags("AWS access keys").RequireAuthorization(AuthExtensions.AdminPolicy);
        group.MapPost("/", CreateAsync).WithName("CreateAwsAccessKey")
            .WithSummary("Create an AWS access key for the management API (admin); the answer is the only time the secret is shown")
            .WithDescription("The key signs AWS SigV4 requests (aws iotsecuretunneling ... --endpoint-url https://HOST:5443) and acts as the given user: viewers may describe and list, operators and admins may also open, close, rotate and tag.");
        group.MapGet("/", ListAsync).WithName("ListAwsAccessKeys").WithSummary("List AWS access keys, without their secrets");
        group.MapDelete("/{id}", RevokeAsync).WithName("RevokeAwsAccessKey").WithSummary("Revoke an AWS access key: it stops working at once");
        return endpoints;
    }

    private static async Task<Results<Created<CreatedAwsKeyResponse>, ValidationProblem>> CreateAsync(
        CreateAwsKeyBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, AwsAccessKeys keys, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        string name = body?.Name?.Trim() ?? string.Empty;
        if (name.Length == 0 || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"The name is required: 1 to {MaxNameLength} characters, no control characters."];
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        string userName = string.IsNullOrWhiteSpace(body?.UserName) ? context.User.Identity?.Name ?? string.Empty : body.UserName.Trim();
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, context.RequestAborted);
        if (user is null)
        {
            errors["userName"] = [string.IsNullOrWhiteSpace(body?.UserName)
                ? "Give userName: the key must act as a gateway user (an API key is not a user)."
                : $"No gateway user is named '{userName}'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (id, secret) = AwsAccessKeys.Generate();
        var entity = new AwsAccessKeyEntity
        {
            Id = id,
            Name = name,
            ProtectedSecret = keys.Protect(secret),
            UserId = user!.Id,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = context.User.Identity?.Name,
        };
        db.AwsAccessKeys.Add(entity);
        await db.SaveChangesAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = id;
        return TypedResults.Created($"/api/aws-keys/{id}", new CreatedAwsKeyResponse(id, secret, name, user.UserName, user.Role, entity.CreatedAt));
    }

    private static async Task<Ok<List<AwsKeyResponse>>> ListAsync(IDbContextFactory<GatewayDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.AwsAccessKeys.AsNoTracking().Include(k => k.User).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.OrderBy(k => k.CreatedAt)
            .Select(k => new AwsKeyResponse(k.Id, k.Name, k.User?.UserName ?? "?", k.User?.Role ?? "?", k.CreatedAt, k.CreatedBy, k.LastUsedAt, k.RevokedAt))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, TimeProvider time)
    {
        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var key = await db.AwsAccessKeys.SingleOrDefaultAsync(k => k.Id == id, context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = id;
        if (key is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such AWS access key", detail: $"No AWS access key has the id '{id}'.");
        }

        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(context.RequestAborted);
        return TypedResults.NoContent();
    }
}

/// <summary>Body of <c>POST /api/aws-keys</c>.</summary>
/// <param name="Name">What the key is for, 1-128 characters.</param>
/// <param name="UserName">The gateway user the key acts as (default: the caller, when logged in as a user).</param>
public sealed record CreateAwsKeyBody(string? Name, string? UserName);

/// <summary>A new key: the only answer that holds the secret.</summary>
/// <param name="AccessKeyId">AWS_ACCESS_KEY_ID.</param>
/// <param name="SecretAccessKey">AWS_SECRET_ACCESS_KEY, shown only here.</param>
/// <param name="Name">What the key is for.</param>
/// <param name="UserName">The user the key acts as.</param>
/// <param name="Role">That user's role now (it is read at each call).</param>
/// <param name="CreatedAt">When the key was created.</param>
public sealed record CreatedAwsKeyResponse(string AccessKeyId, string SecretAccessKey, string Name, string UserName, string Role, DateTimeOffset CreatedAt);

/// <summary>An AWS access key as listed: never the secret.</summary>
public sealed record AwsKeyResponse(string AccessKeyId, string Name, string UserName, string Role, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
