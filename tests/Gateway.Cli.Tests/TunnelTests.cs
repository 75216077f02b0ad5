using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Infrastructure;

namespace Gateway.Cli.Tests;

/// <summary>Two localproxy processes, source and destination, through the built-in relay, carrying TCP.</summary>
public sealed partial class TunnelTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task SourceAndDestinationProcessesCarryTcpBothWays()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await destination.WaitReadyAsync();
        var (source, port) = await LocalProxyProcess.StartSourceAsync(
            port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
        await using var sourceProcess = source;
        var payload = Tcp.RandomBytes(4 * 1024 * 1024);
        using (var client = await Tcp.ConnectAsync(port))
        {
            Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
        }

        Assert.DoesNotContain(tunnel.SourceAccessToken, source.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(tunnel.DestinationAccessToken, destination.Output, StringComparison.Ordinal);
        Assert.Matches(InfoLine(), source.Output);
    }

    [Fact]
    public async Task DefaultVerbosityLogsTheReferencesLifecyclePhrases()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await destination.WaitReadyAsync();
        var (source, port) = await LocalProxyProcess.StartSourceAsync(
            port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
        await using var sourceProcess = source;
        using (var client = await Tcp.ConnectAsync(port))
        {
            var payload = Tcp.RandomBytes(1024);
            Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
        }

        foreach (var process in new[] { source, destination })
        {
            await process.WaitForLineAsync(new Regex($"Successfully established websocket connection with proxy server: {Regex.Escape(Gateway.WssEndpoint)}$"));
        }

        await source.WaitForLineAsync(new Regex($"Listening for new connection on port {port}$"));
        await source.WaitForLineAsync(new Regex($"Accepted tcp connection on port {port} from 127\\.0\\.0\\.1:\\d+$"));
        await destination.WaitForLineAsync(new Regex($"Connected to 127\\.0\\.0\\.1, port: {echo.Port}$"));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[info\] ", RegexOptions.Multiline)]
    private static partial Regex InfoLine();
}
