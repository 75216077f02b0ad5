using Gateway.Api.Data;
using Gateway.Api.Hubs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auth;

/// <summary><c>/api/users</c>: dashboard logins, managed by an admin. The last admin cannot be removed or demoted.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/users").WithTags("Users");
        // Admin only, as every other call here: who may log in is not for viewers and operators.
        group.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("List dashboard users (admin)").RequireAuthorization(AuthExtensions.AdminPolicy);
        group.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Create a dashboard user (admin)");
        group.MapPut("/{userName}", UpdateAsync).WithName("UpdateUser").WithSummary("Change a user's password or role (admin)");
        group.MapDelete("/{userName}", DeleteAsync).WithName("DeleteUser").WithSummary("Delete a user (admin); not the last admin");
        return endpoints;
    }

    private static async Task<Ok<List<UserResponse>>> ListAsync(IDbContextFactory<GatewayDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(users.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem>> CreateAsync(
        UserBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        string name = body?.UserName?.Trim() ?? string.Empty;
        if (!UserNames.IsValid(name))
        {
            errors["userName"] = ["The user name must be 1-64 letters, digits, '.', '_', '-' or '@'."];
        }

        ValidatePassword(body?.Password, required: true, errors);
        if (!Roles.IsValid(body?.Role))
        {
            errors["role"] = [$"The role must be one of {string.Join(", ", Roles.All)}."];
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        if (!errors.ContainsKey("userName") && await db.Users.AnyAsync(u => u.UserName == name, context.RequestAborted))
        {
            errors["userName"] = [$"A user named '{name}' exists already."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = new UserEntity { UserName = name, Role = body!.Role!, CreatedAt = time.GetUtcNow(), CreatedBy = context.User.Identity?.Name };
        user.PasswordHash = Passwords.Hash(user, body.Password!);
        db.Users.Add(user);
        await db.SaveChangesAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = name;
        return TypedResults.Created($"/api/users/{Uri.EscapeDataString(name)}", ToResponse(user));
    }

    private static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string userName, UserBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, HubConnectionRegistry hubs)
    {
        context.Items[AuditTarget.ItemKey] = userName;
        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, context.RequestAborted);
        if (user is null)
        {
            return NotFound(userName);
        }

        var errors = new Dictionary<string, string[]>();
        ValidatePassword(body?.Password, required: false, errors);
        if (body?.Role is not null && !Roles.IsValid(body.Role))
        {
            errors["role"] = [$"The role must be one of {string.Join(", ", Roles.All)}."];
        }
        else if (body?.Role is not null && body.Role != Roles.Admin && user.Role == Roles.Admin && await IsLastAdminAsync(db, context.RequestAborted))
        {
            errors["role"] = ["This is the last admin: make another user admin first."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (body?.Password is { } password)
        {
            user.PasswordHash = Passwords.Hash(user, password);
        }

        bool changed = body?.Password is not null || (body?.Role is { } role && role != user.Role);
        user.Role = body?.Role ?? user.Role;
        await db.SaveChangesAsync(context.RequestAborted);
        if (changed)
        {
            // Their logins end (they log in again with the new password or role), and so do their hub connections.
            await LoginStore.EndAllAsync(db, user.Id, context.RequestAborted);
            hubs.CloseForUser(user.UserName, body?.Password is not null ? "has a new password" : "has a new role");
        }

        return TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        string userName, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, HubConnectionRegistry hubs)
    {
        context.Items[AuditTarget.ItemKey] = userName;
        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, context.RequestAborted);
        if (user is null)
        {
            return NotFound(userName);
        }

        if (user.Role == Roles.Admin && await IsLastAdminAsync(db, context.RequestAborted))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userName"] = ["This is the last admin and cannot be deleted."] });
        }

        db.Users.Remove(user);
        await db.SaveChangesAsync(context.RequestAborted);
        hubs.CloseForUser(user.UserName, "deleted");
        return TypedResults.NoContent();
    }

    private static void ValidatePassword(string? password, bool required, Dictionary<string, string[]> errors)
    {
        if (password is null)
        {
            if (required)
            {
                errors["password"] = ["The password is required."];
            }

            return;
        }

        if (password.Length < Passwords.MinLength || password.Length > Passwords.MaxLength)
        {
            errors["password"] = [$"The password must have {Passwords.MinLength} to {Passwords.MaxLength} characters."];
        }
    }

    private static async Task<bool> IsLastAdminAsync(GatewayDbContext db, CancellationToken cancellationToken) =>
        await db.Users.CountAsync(u => u.Role == Roles.Admin, cancellationToken) <= 1;

    private static ProblemHttpResult NotFound(string userName) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such user", detail: $"No user is named '{userName}'.");

    private static UserResponse ToResponse(UserEntity user) => new(user.UserName, user.Role, user.CreatedAt, user.CreatedBy);
}
