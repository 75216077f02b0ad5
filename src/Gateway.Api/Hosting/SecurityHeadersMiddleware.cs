namespace Gateway.Api.Hosting;

/// <summary>
/// Security headers on every response: a strict Content-Security-Policy (the dashboard has no inline
/// script or style and loads nothing from elsewhere; the SignalR hub is same-origin), no MIME
/// sniffing, no referrer. Set when the response starts, so error pages written after the exception
/// handler cleared the headers carry them too.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>
    /// Swagger UI (<c>/swagger</c>) injects a &lt;style&gt; element from its bundle; its pages alone
    /// also allow inline styles (never inline scripts).
    /// </summary>
    public const string SwaggerContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly Func<object, Task> SetHeaders = state =>
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase)
            ? SwaggerContentSecurityPolicy
            : ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(SetHeaders, context);
        return next(context);
    }
}
