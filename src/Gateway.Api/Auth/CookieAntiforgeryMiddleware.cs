using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;

namespace Gateway.Api.Auth;

/// <summary>
/// A change made with the dashboard's cookie must carry the anti-forgery token (header
/// <c>X-CSRF-TOKEN</c>, from <c>GET /api/auth/me</c> or the login answer). API keys are not sent
/// by browsers on their own, so calls with one need no token.
/// </summary>
internal sealed class CookieAntiforgeryMiddleware(RequestDelegate next, IAntiforgery antiforgery, IProblemDetailsService problems)
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        bool safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
            // SignalR negotiates (and long-polls) with POSTs that carry no CSRF header. Not exploitable:
            // the hubs' methods only read, and the SameSite=Strict cookie is not sent cross-site.
            || context.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase);
        if (!safe && context.User.FindFirstValue(GatewayClaims.Method) == GatewayClaims.CookieMethod)
        {
            try
            {
                await antiforgery.ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status400BadRequest,
                        Title = "Missing or invalid anti-forgery token",
                        Detail = $"A change made with the login cookie needs the {HeaderName} header; get its value from GET /api/auth/me.",
                    },
                });
                return;
            }
        }

        await next(context);
    }
}
