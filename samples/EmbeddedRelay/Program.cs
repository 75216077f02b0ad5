// The built-in relay (the AWS IoT Secure Tunneling data plane) inside an ASP.NET Core app. Tunnel ends
// (TunnelGateway's, the AWS reference localproxy, the AWS Device Client) connect to ws://HOST:PORT/tunnel.
//   dotnet run -- --urls http://127.0.0.1:8080
//   curl -X POST 'http://127.0.0.1:8080/tunnels?services=SSH'   -> the tunnel id and its two access tokens
// Serve it over HTTPS (Kestrel certificates) anywhere but loopback: access tokens are bearer secrets.
using Gateway.Engine;
using Gateway.Engine.Relay;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddTunnelRelay(options => options.MaxOpenTunnels = 100);
var app = builder.Build();
app.UseWebSockets();
var relay = app.Services.GetRequiredService<TunnelRelay>();
await relay.InitializeAsync(app.Lifetime.ApplicationStopping);

// The data plane: the relay judges the upgrade request (mode, access token, client token, subprotocols),
// then forwards frames between the two ends until either leaves or the tunnel closes.
app.Map("/tunnel", async (HttpContext context) =>
{
    var request = context.Request;
    var handshake = await relay.AuthorizeAsync(new RelayUpgradeRequest
    {
        IsWebSocketUpgrade = context.WebSockets.IsWebSocketRequest,
        ModeValues = [.. request.Query[RelayHandshakeRules.ModeQueryParameter].Select(v => v ?? string.Empty)],
        AccessTokenHeaders = [.. request.Headers[RelayHandshakeRules.AccessTokenHeader].Select(v => v ?? string.Empty)],
        ClientTokenHeaders = [.. request.Headers[RelayHandshakeRules.ClientTokenHeader].Select(v => v ?? string.Empty)],
        OfferedSubprotocols = [.. context.WebSockets.WebSocketRequestedProtocols],
        RemoteAddress = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}",
    }, context.RequestAborted);
    if (!handshake.Accepted)
    {
        context.Response.StatusCode = handshake.StatusCode;
        await context.Response.WriteAsync(handshake.Reason ?? string.Empty);
        return;
    }

    // No WebSocket keep-alive: its unsolicited pongs close the reference proxy; the ends ping themselves.
    using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = handshake.Subprotocol, KeepAliveInterval = TimeSpan.Zero });
    await relay.RunConnectionAsync(handshake, socket, context.RequestAborted);
});

// A minimal control plane for the sample (the gateway's is REST with auth, or AWS's management API).
app.MapPost("/tunnels", async (string? services, int? lifetimeMinutes, CancellationToken cancellationToken) =>
{
    var result = await relay.CreateAsync(new CreateTunnelRequest(services?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [], lifetimeMinutes), cancellationToken);
    return result.Created is { } created
        ? Results.Ok(new { tunnelId = created.Tunnel.Id, sourceAccessToken = created.SourceAccessToken, destinationAccessToken = created.DestinationAccessToken })
        : Results.ValidationProblem(result.Errors, detail: result.LimitExceeded);
});
app.MapDelete("/tunnels/{id}", async (string id, CancellationToken cancellationToken) =>
    await relay.CloseAsync(id, cancellationToken) is { } closed ? Results.Ok(closed) : Results.NotFound());

app.Lifetime.ApplicationStopping.Register(relay.AbortAll);
await app.RunAsync();
