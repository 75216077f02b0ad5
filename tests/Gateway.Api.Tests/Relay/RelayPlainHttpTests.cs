using System.Net;
using System.Net.WebSockets;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Relay;

/// <summary>The relay's <c>/tunnel</c> is served on the HTTPS listener only (tokens travel over TLS), unless <c>Relay:AllowPlainHttp</c>.</summary>
public sealed class RelayPlainHttpTests
{
    [Fact]
    public async Task PlainHttpTunnelConnectionsAreRefusedUnlessAllowed()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        var (status, reason) = await ConnectPlainAsync(gateway, tunnel.SourceAccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("TLS only", reason, StringComparison.Ordinal);
        Assert.Contains("Relay:AllowPlainHttp", reason, StringComparison.Ordinal);

        // The token was not spent: the same one connects over TLS.
        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken));
    }

    [Fact]
    public async Task AllowPlainHttpServesTheTunnelOnThePlainListenerToo()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Relay:AllowPlainHttp"] = "true" });
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        var (status, _) = await ConnectPlainAsync(gateway, tunnel.SourceAccessToken);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
    }

    private static async Task<(HttpStatusCode Status, string Reason)> ConnectPlainAsync(TestGateway gateway, string accessToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("aws.iot.securetunneling-3.0");
        socket.Options.SetRequestHeader("access-token", accessToken);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.HttpBase.Port}/tunnel?local-proxy-mode=source"), cts.Token);
        }
        catch (WebSocketException)
        {
            return (socket.HttpStatusCode, await ReasonAsync(gateway, accessToken));
        }

        var status = socket.HttpStatusCode;
        socket.Abort();
        return (status, string.Empty);
    }

    /// <summary>The refusal's text, read with a plain HTTP upgrade request (ClientWebSocket does not keep the body).</summary>
    private static async Task<string> ReasonAsync(TestGateway gateway, string accessToken)
    {
        using var client = new HttpClient { BaseAddress = gateway.HttpBase, Timeout = TestGateway.Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tunnel?local-proxy-mode=source");
        request.Headers.Add("access-token", accessToken);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}
