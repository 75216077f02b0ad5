using Gateway.Api.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hubs;

/// <summary>
/// Browsers send the login cookie with a WebSocket or EventSource from any page of the same site, and
/// every port of 127.0.0.1 is the same site (a tunnel's source port too), while neither WebSockets nor
/// SignalR check the page's origin. So every request to <c>/hubs</c> (negotiate, WebSocket, SSE, long
/// polling, with or without negotiate) that carries an <c>Origin</c> must come from the gateway's own
/// origin (the scheme and host the request was sent to) or one of <c>Gateway:AllowedOrigins</c>; else 403.
/// A request without <c>Origin</c> is not from a page's script (browsers send one on every cross-origin
/// WebSocket, EventSource and POST) and is let through to authentication as usual.
/// </summary>
internal static partial class HubOriginCheck
{
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Origin is not { Count: > 0 } origins)
        {
            await next(context);
            return;
        }

        var allowed = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AllowedOrigins;
        string origin = origins.Count == 1 ? origins[0] ?? string.Empty : origins.ToString();
        if (origins.Count == 1 && (IsOwnOrigin(context.Request, origin) || allowed.Any(a => SameOrigin(a, origin))))
        {
            await next(context);
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Api.Hubs.HubOriginCheck");
        string shown = origin.Length > 200 ? origin[..200] + "..." : origin;
        Log.Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", shown);
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Origin not allowed",
            detail: $"The hub accepts pages of this gateway's own origin ({context.Request.Scheme}://{context.Request.Host}) and of Gateway:AllowedOrigins only, not of '{shown}'.").ExecuteAsync(context);
    });

    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        request.Host.HasValue && SameOrigin($"{request.Scheme}://{request.Host.Value}", origin);

    /// <summary>Scheme, host and port equal (default ports filled in, host case-insensitive); anything else is another origin.</summary>
    public static bool SameOrigin(string expected, string actual) =>
        TryParse(expected, out var a) && TryParse(actual, out var b)
        && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>An origin: http(s)://host[:port], nothing after it (a trailing '/' aside).</summary>
    public static bool TryParse(string? text, out Uri origin)
    {
        origin = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }

        origin = uri;
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3604, Level = LogLevel.Warning, Message = "Refused a hub request from {Peer}: its page's origin {Origin} is not the gateway's nor in Gateway:AllowedOrigins")]
        public static partial void Refused(ILogger logger, string peer, string origin);
    }
}
