using System.Text;
using Gateway.Engine.Relay;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Api.Relay;

/// <summary>
/// <c>GET /tunnel</c>: the relay's WebSocket endpoint, where local proxies connect exactly as they
/// connect to AWS. Tunnel access tokens authenticate it; the answers follow docs/protocol.md section 3
/// (complete HTTP error responses with Content-Length, 101 with Sec-WebSocket-Protocol and
/// channel-id).
/// </summary>
internal static class RelayEndpoint
{
    public const string Path = "/tunnel";
    private const string ChannelIdHeader = "channel-id";

    public static IEndpointRouteBuilder MapRelayEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, HandleAsync).ExcludeFromDescription().AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// AWS answers 400 to an upgrade on any other path; so does the gateway, rather than a 404
    /// page a proxy cannot show.
    /// </summary>
    public static IApplicationBuilder UseRelayPathCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.WebSockets.IsWebSocketRequest && !context.Request.Path.Equals(Path, StringComparison.Ordinal)
            && !context.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase))
        {
            await WriteRejectionAsync(context, 400, $"Unknown path '{context.Request.Path}': the tunnel endpoint is {Path}?local-proxy-mode=source|destination.", Guid.NewGuid().ToString("D"));
            return;
        }

        await next(context);
    });

    private static async Task HandleAsync(HttpContext context, TunnelRelay relay, IHostApplicationLifetime lifetime, Microsoft.Extensions.Options.IOptions<RelayEndpointOptions> options)
    {
        // Access tokens are bearer secrets: over TLS only, unless configured (docs/protocol.md section 3).
        if (!context.Request.IsHttps && !options.Value.AllowPlainHttp)
        {
            await WriteRejectionAsync(context, 400, $"The tunnel endpoint is served over TLS only: connect to wss://{context.Request.Host}{Path} on the gateway's HTTPS port (or set Relay:AllowPlainHttp).", Guid.NewGuid().ToString("D"));
            return;
        }

        // Once the gateway stops, new ends are told to come back later (5xx: proxies retry), and an
        // end admitted meanwhile is dropped with the others: else Kestrel would wait for it until
        // its shutdown timeout, since the sessions that could close it stop only after the server.
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await WriteRejectionAsync(context, 503, "The gateway is shutting down; connect again in a moment.", Guid.NewGuid().ToString("D"));
            return;
        }

        var result = await relay.AuthorizeAsync(ToUpgradeRequest(context), context.RequestAborted);
        if (!result.Accepted)
        {
            await WriteRejectionAsync(context, result.StatusCode, result.Reason!, result.ChannelId);
            return;
        }

        context.Response.Headers[ChannelIdHeader] = result.ChannelId;

        // Short kernel queues toward and from this end (unsent bytes; the receive buffer), so the
        // relay's fair queue decides the order rather than megabytes already in the kernel.
        var tcp = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket;
        Gateway.Engine.Transport.SocketTuning.LimitUnsentBytes(tcp);
        Gateway.Engine.Transport.SocketTuning.PinReceiveBuffer(tcp, options.Value.ReceiveBufferBytes);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = result.Subprotocol,
            DangerousEnableCompression = false,

            // No keep-alive: .NET's keep-alive sends unsolicited pongs, which kill the reference proxy.
            KeepAliveInterval = TimeSpan.Zero,
        });
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        await relay.RunConnectionAsync(result, socket, connection.Token);
    }

    private static RelayUpgradeRequest ToUpgradeRequest(HttpContext context)
    {
        var request = context.Request;
        return new RelayUpgradeRequest
        {
            IsWebSocketUpgrade = context.WebSockets.IsWebSocketRequest,
            ModeValues = [.. request.Query[RelayHandshakeRules.ModeQueryParameter].Select(v => v ?? string.Empty)],
            AccessTokenHeaders = [.. request.Headers[RelayHandshakeRules.AccessTokenHeader].Select(v => v ?? string.Empty)],
            AccessTokenCookies = CookieValues(request.Headers.Cookie, RelayHandshakeRules.AccessTokenCookie),
            ClientTokenHeaders = [.. request.Headers[RelayHandshakeRules.ClientTokenHeader].Select(v => v ?? string.Empty)],
            OfferedSubprotocols = [.. context.WebSockets.WebSocketRequestedProtocols],
            RequestBytes = MeasureRequest(context),
            RemoteAddress = context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : null,
        };
    }

    // Every occurrence of the cookie, so that two values can be told from one.
    private static List<string> CookieValues(Microsoft.Extensions.Primitives.StringValues headers, string name)
    {
        var values = new List<string>();
        foreach (var header in headers)
        {
            foreach (var part in (header ?? string.Empty).Split(';'))
            {
                var pair = part.Trim();
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && pair.AsSpan(0, eq).Trim().Equals(name, StringComparison.Ordinal))
                {
                    values.Add(pair[(eq + 1)..].Trim());
                }
            }
        }

        return values;
    }

    // Request line plus header lines as they were on the wire (Kestrel keeps each value).
    private static int MeasureRequest(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        int size = request.Method.Length + 1 + target.Length + 1 + request.Protocol.Length + 2;
        foreach (var header in request.Headers)
        {
            foreach (var value in header.Value)
            {
                size += header.Key.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }

        return size + 2;
    }

    private static async Task WriteRejectionAsync(HttpContext context, int status, string reason, string channelId)
    {
        var body = Encoding.UTF8.GetBytes(reason);
        context.Response.StatusCode = status;
        context.Response.Headers[ChannelIdHeader] = channelId;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
