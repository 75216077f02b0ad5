using System.Security.Claims;
using Gateway.Api.Data;
using Gateway.Api.Hubs;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auth;

/// <summary>
/// <c>POST /api/auth/password</c>: any logged-in dashboard user changes their own password (the
/// current one confirms it is them). Their other logins end; this one goes on with a fresh cookie.
/// A login that gives a wrong current password <see cref="MaxWrongCurrentPasswords"/> times is ended,
/// so a stolen cookie cannot be used to guess the password.
/// </summary>
internal static partial class AccountApi
{
    public const int MaxWrongCurrentPasswords = 5;

    // Per login id; entries go with the login (ended here, or by a successful change).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> WrongAttempts = new(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/auth/password", ChangePasswordAsync)
            .WithTags("Authentication")
            // Every role may change its own password: not the role rule of other changes (admin).
            .RequireAuthorization(AuthExtensions.AuthenticatedPolicy)
            .WithName("ChangeOwnPassword")
            .WithSummary("Change the logged-in user's own password (any role; dashboard login only)")
            .WithDescription("Needs the current password. Ends the user's other logins; answers a new anti-forgery token for this one.");
        return endpoints;
    }

    private static async Task<Results<Ok<CurrentUserResponse>, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, LoginStore logins,
        HubConnectionRegistry hubs, IAntiforgery antiforgery, ILoggerFactory loggers)
    {
        string? loginId = context.User.FindFirstValue(GatewayClaims.LoginId);
        if (context.User.FindFirstValue(GatewayClaims.Method) != GatewayClaims.CookieMethod || loginId is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Not a dashboard login",
                detail: "An API key has no password: log in as the user to change theirs, or let an admin set it (PUT /api/users/{userName}).");
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(body?.CurrentPassword))
        {
            errors["currentPassword"] = ["The current password is required."];
        }

        if (string.IsNullOrEmpty(body?.NewPassword))
        {
            errors["newPassword"] = ["The new password is required."];
        }
        else if (body.NewPassword.Length < Passwords.MinLength || body.NewPassword.Length > Passwords.MaxLength)
        {
            errors["newPassword"] = [$"The password must have {Passwords.MinLength} to {Passwords.MaxLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        string name = context.User.Identity?.Name ?? string.Empty;
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == name, context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = name;
        if (user is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such user", detail: $"No user is named '{name}'.");
        }

        if (body!.CurrentPassword!.Length > Passwords.MaxLength || !Passwords.Verify(user, body.CurrentPassword))
        {
            Log.WrongCurrentPassword(loggers.CreateLogger("Gateway.Api.Auth"), context.Connection.RemoteIpAddress?.ToString() ?? "?", user.UserName);
            if (WrongAttempts.AddOrUpdate(loginId, 1, (_, n) => n + 1) >= MaxWrongCurrentPasswords)
            {
                WrongAttempts.TryRemove(loginId, out _);
                await logins.EndAsync(loginId, context.RequestAborted);
                hubs.CloseForLogin(loginId);
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Logged out",
                    detail: $"The current password was wrong {MaxWrongCurrentPasswords} times: this login has ended. Log in again.");
            }

            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is wrong."] });
        }

        if (Passwords.Verify(user, body.NewPassword!))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = ["The new password is the current one."] });
        }

        WrongAttempts.TryRemove(loginId, out _);
        user.PasswordHash = Passwords.Hash(user, body.NewPassword!);
        await db.SaveChangesAsync(context.RequestAborted);

        // Every other login of this user ends (a stolen cookie among them), with its hub connections;
        // this one is signed again with the new password's stamp.
        await db.Logins.Where(l => l.UserId == user.Id && l.Id != loginId).ExecuteDeleteAsync(context.RequestAborted);
        hubs.CloseForUserExceptLogin(user.UserName, loginId, "has a new password");
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.UserName),
                new Claim(ClaimTypes.Role, user.Role),
                new Claim(GatewayClaims.Method, GatewayClaims.CookieMethod),
                new Claim(CookieRevalidation.StampClaim, CookieRevalidation.Stamp(user)),
                new Claim(GatewayClaims.LoginId, loginId),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme));
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        context.User = principal;
        var tokens = antiforgery.GetAndStoreTokens(context);
        Log.PasswordChanged(loggers.CreateLogger("Gateway.Api.Auth"), user.UserName);
        return TypedResults.Ok(new CurrentUserResponse(user.UserName, user.Role, GatewayClaims.CookieMethod, tokens.RequestToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3900, Level = LogLevel.Warning, Message = "Own password change refused for {UserName} from {Peer}: wrong current password")]
        public static partial void WrongCurrentPassword(ILogger logger, string peer, string userName);

        [LoggerMessage(EventId = 3901, Level = LogLevel.Information, Message = "{UserName} changed their own password; their other logins ended")]
        public static partial void PasswordChanged(ILogger logger, string userName);
    }
}
