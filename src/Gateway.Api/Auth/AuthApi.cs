using System.Security.Claims;
using Gateway.Api.Data;
using Gateway.Api.Hubs;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auth;

/// <summary><c>/api/auth</c>: the dashboard's cookie login (rate-limited), logout, and who am I.</summary>
internal static partial class AuthApi
{
    public const string LoginRateLimitPolicy = "login";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/auth").WithTags("Authentication");
        group.MapPost("/login", LoginAsync)
            .AllowAnonymous()
            .RequireRateLimiting(LoginRateLimitPolicy)
            .WithName("Login")
            .WithSummary("Log in with user name and password: sets the login cookie")
            .WithDescription("Answers the user, role and the anti-forgery token for later changes. Attempts are rate-limited per client address (429).");
        group.MapPost("/logout", (Delegate)LogoutAsync)
            .RequireAuthorization(AuthExtensions.AuthenticatedPolicy)
            .WithName("Logout")
            .WithSummary("Log out: clears the login cookie");
        group.MapGet("/me", Me)
            .RequireAuthorization(AuthExtensions.AuthenticatedPolicy)
            .WithName("CurrentUser")
            .WithSummary("The caller's name and role, and an anti-forgery token for cookie sessions");
        return endpoints;
    }

    private static async Task<Results<Ok<CurrentUserResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        LoginBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, LoginStore logins, IAntiforgery antiforgery, ILoggerFactory loggers)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body?.UserName))
        {
            errors["userName"] = ["The user name is required."];
        }

        if (string.IsNullOrEmpty(body?.Password))
        {
            errors["password"] = ["The password is required."];
        }
        else if (body.Password.Length > Passwords.MaxLength)
        {
            errors["password"] = [$"The password has more than {Passwords.MaxLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == body!.UserName!.Trim(), context.RequestAborted);
        if (user is null || !Passwords.Verify(user, body!.Password!))
        {
            // A mistyped password may land in the user name field: only a well-formed name is logged.
            string attempted = UserNames.IsValid(body!.UserName!.Trim()) ? body.UserName.Trim() : "(not a valid user name)";
            Log.LoginFailed(loggers.CreateLogger("Gateway.Api.Auth"), context.Connection.RemoteIpAddress?.ToString() ?? "?", attempted);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login failed", detail: "Unknown user name or wrong password.");
        }

        string loginId = await logins.CreateAsync(db, user, context.RequestAborted);
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

        // The anti-forgery token is bound to the user: issue it for the one just logged in.
        context.User = principal;
        var tokens = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Ok(new CurrentUserResponse(user.UserName, user.Role, GatewayClaims.CookieMethod, tokens.RequestToken));
    }

    /// <summary>Ends the login on the server too (a copy of the cookie stops working), and its hub connections.</summary>
    private static async Task<NoContent> LogoutAsync(HttpContext context, LoginStore logins, HubConnectionRegistry hubs)
    {
        if (context.User.FindFirstValue(GatewayClaims.LoginId) is { } loginId)
        {
            await logins.EndAsync(loginId, context.RequestAborted);
            hubs.CloseForLogin(loginId);
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static Ok<CurrentUserResponse> Me(HttpContext context, IAntiforgery antiforgery)
    {
        var user = context.User;
        string method = user.FindFirstValue(GatewayClaims.Method) ?? GatewayClaims.ApiKeyMethod;
        string? csrf = method == GatewayClaims.CookieMethod ? antiforgery.GetAndStoreTokens(context).RequestToken : null;
        return TypedResults.Ok(new CurrentUserResponse(user.Identity?.Name ?? string.Empty, user.FindFirstValue(ClaimTypes.Role) ?? string.Empty, method, csrf));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Failed login from {Peer} as {UserName}")]
        public static partial void LoginFailed(ILogger logger, string peer, string userName);
    }
}
