using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hubs;

/// <summary>
/// The hub refuses pages of other origins (another scheme, host or port: a tunnel's source port on
/// 127.0.0.1 is one), on every transport and without the negotiate step too; it accepts its own origin,
/// <c>Gateway:AllowedOrigins</c>, and clients that send no Origin (not a page's script).
/// </summary>
public sealed class SessionsHubOriginTests
{
    private const string Configured = "https://dashboard.example.test:9443";

    [Fact]
    public async Task AnotherOriginIsRefusedOnEveryTransportEvenWithoutNegotiate()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:AllowedOrigins:0"] = Configured });
        using var otherPort = new TcpListener(IPAddress.Loopback, 0);
        otherPort.Start();
        int port = ((IPEndPoint)otherPort.LocalEndpoint).Port;
        string[] foreign = [$"https://127.0.0.1:{port}", $"http://127.0.0.1:{gateway.HttpsBase.Port}", "https://localhost.evil.test", "null", Configured + "/path"];

        foreach (string origin in foreign)
        {
            // A WebSocket straight to the hub, as SignalR's skipNegotiation does.
            Assert.Equal(HttpStatusCode.Forbidden, await WebSocketStatusAsync(gateway, origin));

            using var client = gateway.CreateClient();
            using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/sessions/negotiate?negotiateVersion=1");
            negotiate.Headers.Add("Origin", origin);
            using var negotiated = await client.SendAsync(negotiate);
            Assert.Equal(HttpStatusCode.Forbidden, negotiated.StatusCode);
            Assert.Equal("application/problem+json", negotiated.Content.Headers.ContentType?.MediaType);

            using var events = new HttpRequestMessage(HttpMethod.Get, "/hubs/sessions?id=x");
            events.Headers.Add("Origin", origin);
            events.Headers.Add("Accept", "text/event-stream");
            using var sse = await client.SendAsync(events, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Forbidden, sse.StatusCode);
        }

        Assert.Contains(gateway.Logs.Lines, l => l.EventId == 3604 && l.Message.Contains($"https://127.0.0.1:{port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheGatewaysOwnAndConfiguredOriginsAndClientsWithoutOriginConnect()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:AllowedOrigins:0"] = Configured });
        foreach (string? origin in new[] { $"https://127.0.0.1:{gateway.HttpsBase.Port}", $"HTTPS://127.0.0.1:{gateway.HttpsBase.Port}/", Configured, null })
        {
            Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketStatusAsync(gateway, origin));
        }

        // The .NET client sends no Origin: negotiate, then WebSockets.
        await using var hub = await HubClient.ConnectAsync(gateway);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task AMalformedAllowedOriginIsAStartupError()
    {
        var error = await Assert.ThrowsAsync<Gateway.Api.Hosting.GatewayStartupException>(() =>
            TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Gateway:AllowedOrigins:0"] = "dashboard.example.test" }));
        Assert.Contains("Gateway:AllowedOrigins", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The status of a WebSocket upgrade to /hubs/sessions with an admin key and <paramref name="origin"/> (none if null).</summary>
    private static async Task<HttpStatusCode> WebSocketStatusAsync(TestGateway gateway, string? origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = gateway.ValidateCertificate;
        socket.Options.SetRequestHeader("X-Api-Key", TestGateway.AdminApiKey);
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        try
        {
            await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{gateway.HttpsBase.Port}/hubs/sessions"), cts.Token);
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }

        var status = socket.HttpStatusCode;
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
        return status;
    }
}
