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
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/auth").WithTags("Authentication");
        group.MapPost("/login", LoginAsync)
            .AllowAnonymous()
            .WithName("Login")
            .WithSummary("Log in with user name and password: sets the login cookie")
            .WithDescription("Answers the user, role and the anti-forgery token for later changes. Failed attempts are limited per user name and per client address (Auth:LoginAttemptsPerMinute each, over a sliding minute; successful logins do not count): beyond that 429 with Retry-After.");
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
        LoginBody? body, HttpContext context, IDbContextFactory<GatewayDbContext> contexts, LoginStore logins, LoginThrottle throttle, IAntiforgery antiforgery, ILoggerFactory loggers, TimeProvider time)
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

        string peer = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        string userName = body!.UserName!.Trim();
        if (throttle.TryBegin(peer, userName, out var retryAfter) is not { } attempt)
        {
            int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            var at = time.GetUtcNow().AddSeconds(seconds);
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Log.LoginThrottled(loggers.CreateLogger("Gateway.Api.Auth"), peer, UserNames.IsValid(userName) ? userName : "(not a valid user name)", seconds);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many failed logins",
                detail: $"Too many failed logins for this user name or from this address (at most {throttle.Limit} a minute each); try again in {seconds} s (at {at:HH:mm:ss} UTC).");
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName, context.RequestAborted);
        if (user is null || !Passwords.Verify(user, body!.Password!))
        {
            // A mistyped password may land in the user name field: only a well-formed name is logged.
            string attempted = UserNames.IsValid(userName) ? userName : "(not a valid user name)";
            Log.LoginFailed(loggers.CreateLogger("Gateway.Api.Auth"), peer, attempted);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login failed", detail: "Unknown user name or wrong password.");
        }

        attempt.Succeeded();
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
        [LoggerMessage(EventId = 3800, Level = LogLevel.Warning, Message = "Login from {Peer} as {UserName} refused for {Seconds} s: too many failed logins for this user name or from this address")]
        public static partial void LoginThrottled(ILogger logger, string peer, string userName, int seconds);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Failed login from {Peer} as {UserName}")]
        public static partial void LoginFailed(ILogger logger, string peer, string userName);
    }
}
