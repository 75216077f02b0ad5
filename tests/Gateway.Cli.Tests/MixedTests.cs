using System.Text.Json;

namespace Gateway.Cli.Tests;

/// <summary>
/// One end a <c>localproxy</c> process, the other an engine session the gateway runs (started through
/// <c>POST /api/tunnels</c>), both on the same relay tunnel.
/// </summary>
public sealed class MixedTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task CliSourceCarriesBytesToAnEngineDestinationSession()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string id = await Gateway.StartDestinationSessionAsync(tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}");
        try
        {
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

    private static string? State(JsonElement session) => TestGateway.State(session);

    private static bool IsReady(JsonElement session) => TestGateway.IsReady(session);

    private Task<(string Id, int Port)> StartEngineSourceAsync(string accessToken) => Gateway.StartSourceSessionAsync(accessToken, port => $"SSH={port}");

    private Task StopSessionAsync(string id) => Gateway.StopSessionAsync(id);
}
