using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Cli.Tests.Infrastructure;

namespace Gateway.Cli.Tests;

/// <summary>
/// One end a <c>localproxy</c> process, the other an engine session the gateway runs (started through
/// <c>POST /api/tunnels</c>), both on the same relay tunnel.
/// </summary>
public sealed class MixedTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    private string WssEndpoint => $"wss://127.0.0.1:{Gateway.HttpsBase.Port}";

    [Fact]
    public async Task CliSourceCarriesBytesToAnEngineDestinationSession()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        var session = await Gateway.StartSessionAsync(new
        {
            name = "mixed-engine-destination",
            mode = "destination",
            endpoint = WssEndpoint,
            accessToken = tunnel.DestinationAccessToken,
            services = $"SSH=127.0.0.1:{echo.Port}",
            caPath = Gateway.CaDirectory,
        });
        string id = session.GetProperty("id").GetString()!;
        try
        {
            Assert.DoesNotContain(tunnel.DestinationAccessToken, session.GetRawText(), StringComparison.Ordinal);
            await Gateway.WaitForSessionAsync(id, IsReady);

            var (source, port) = await LocalProxyProcess.StartSourceAsync(
                port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1"],
                Token(tunnel.SourceAccessToken));
            await using var sourceProcess = source;

            var payload = Tcp.RandomBytes(1024 * 1024);
            using (var client = await Tcp.ConnectAsync(port))
            {
                Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
            }

            Assert.Equal(1, echo.Accepted);

            // The engine counted what it wrote to the echo server and what it sent back.
            var counted = await Gateway.WaitForSessionAsync(id, s =>
                s.GetProperty("bytesFromTunnel").GetInt64() >= payload.Length && s.GetProperty("bytesToTunnel").GetInt64() >= payload.Length);
            Assert.Equal("Connected", State(counted));
            Assert.Equal(payload.Length, counted.GetProperty("bytesFromTunnel").GetInt64());
            Assert.Equal(payload.Length, counted.GetProperty("bytesToTunnel").GetInt64());
            Assert.False(source.HasExited, source.Output);
        }
        finally
        {
            await StopSessionAsync(id);
        }
    }

    [Fact]
    public async Task EngineSourceSessionCarriesBytesToACliDestination()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"],
            Token(tunnel.DestinationAccessToken));
        var ready = await destination.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{echo.Port}", ready["SSH"]);

        var (id, port) = await StartEngineSourceAsync(tunnel.SourceAccessToken);
        try
        {
            var connected = await Gateway.WaitForSessionAsync(id, IsReady);
            var service = Assert.Single(connected.GetProperty("services").EnumerateArray());
            Assert.Equal("SSH", service.GetProperty("serviceId").GetString());
            Assert.Equal(port, service.GetProperty("listenPort").GetInt32());

            var payload = Tcp.RandomBytes(1024 * 1024);
            using (var client = await Tcp.ConnectAsync(port))
            {
                Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
            }

            Assert.Equal(1, echo.Accepted);
            var counted = await Gateway.WaitForSessionAsync(id, s =>
                s.GetProperty("bytesToTunnel").GetInt64() >= payload.Length && s.GetProperty("bytesFromTunnel").GetInt64() >= payload.Length);
            Assert.Equal(payload.Length, counted.GetProperty("bytesToTunnel").GetInt64());
            Assert.Equal(payload.Length, counted.GetProperty("bytesFromTunnel").GetInt64());
            Assert.False(destination.HasExited, destination.Output);
        }
        finally
        {
            await StopSessionAsync(id);
        }
    }

    private static Dictionary<string, string?> Token(string token) => new() { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = token };

    private static string? State(JsonElement session) => session.GetProperty("state").GetString();

    /// <summary>Connected and done with SERVICE_IDS (the state reason is cleared then).</summary>
    private static bool IsReady(JsonElement session) =>
        State(session) == "Connected" && (!session.TryGetProperty("stateReason", out var reason) || reason.ValueKind == JsonValueKind.Null);

    /// <summary>POSTs a source session on a free port; another port when that one was taken meanwhile (409).</summary>
    private async Task<(string Id, int Port)> StartEngineSourceAsync(string accessToken)
    {
        using var client = Gateway.CreateClient();
        for (int attempt = 0; ; attempt++)
        {
            int port = Tcp.FreePort();
            using var response = await client.PostAsJsonAsync("/api/tunnels", new
            {
                name = "mixed-engine-source",
                mode = "source",
                endpoint = WssEndpoint,
                accessToken,
                services = $"SSH={port}",
                bindAddress = "127.0.0.1",
                caPath = Gateway.CaDirectory,
            });
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 4)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/tunnels: {(int)response.StatusCode} {text}");
            Assert.DoesNotContain(accessToken, text, StringComparison.Ordinal);
            return (JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!, port);
        }
    }

    /// <summary>Stops a session (best effort: a failure here must not hide the test's own).</summary>
    private async Task StopSessionAsync(string id)
    {
        using var client = Gateway.CreateClient();
        using var response = await client.DeleteAsync($"/api/tunnels/{id}");
    }
}
