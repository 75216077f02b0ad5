using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Infrastructure;

namespace Gateway.Cli.Tests;

/// <summary>How a localproxy process ends, and the exit code a script sees (README's table).</summary>
public sealed partial class ExitCodeTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const int Sigint = 2;
    private const int Sigterm = 15;

    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task SigtermMidTransferClosesTheTunnelAndExitsZeroWithinTheBound()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start([.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"], Token(tunnel.DestinationAccessToken));
        await destination.WaitReadyAsync();
        var (source, port) = await LocalProxyProcess.StartSourceAsync(p => [.. Gateway.EndpointArgs(), "-s", $"SSH={p}", "-b", "127.0.0.1"], Token(tunnel.SourceAccessToken));
        await using var sourceProcess = source;

        using var client = await Tcp.ConnectAsync(port);
        using var sending = new CancellationTokenSource(Bounds.Long);
        var chunk = Tcp.RandomBytes(64 * 1024);
        var sender = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Tcp.SendAllAsync(client, chunk, sending.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        });

        // Mid-transfer: a megabyte came back through the whole chain, more is in flight.
        await Tcp.ReceiveExactlyAsync(client, 1024 * 1024, sending.Token);
        source.Signal(Sigterm);
        int code = await source.WaitForExitAsync(ProxyRunnerStopBound + TimeSpan.FromSeconds(5));

        Assert.Equal(0, code);
        Assert.Contains("stop requested", source.Output, StringComparison.Ordinal);
        Assert.Matches(StoppedLine(), source.Output);
        await Tcp.WaitClosedAsync(client);
        await sending.CancelAsync();
        await sender.WaitAsync(Bounds.Step);

        // The destination saw its peer leave and keeps running; Ctrl+C (SIGINT) stops it cleanly too.
        Assert.False(destination.HasExited, destination.Output);
        destination.Signal(Sigint);
        Assert.Equal(0, await destination.WaitForExitAsync(ProxyRunnerStopBound + TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task SigtermWhileConnectingExitsZero()
    {
        // Nothing listens on the endpoint: the proxy keeps retrying until the signal.
        int closed = Tcp.FreePort();
        await using var process = LocalProxyProcess.Start(["-e", $"127.0.0.1:{closed}", "-s", "5555", "-b", "127.0.0.1", "--settings-json", Settings(("websocket", "retry_delay_ms", "100"))], Token("not-used"));
        await process.WaitForLineAsync(RetryLine());
        process.Signal(Sigterm);
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task RejectedHandshakeExitsThreeWithStatusAndReason()
    {
        var (code, process) = await LocalProxyProcess.RunAsync([.. Gateway.EndpointArgs(), "-s", "5555", "-b", "127.0.0.1"], Token("this-token-was-never-issued"));
        await using var _ = process;

        Assert.Equal(3, code);
        Assert.Matches(RejectedLine(), process.Stderr);
        Assert.DoesNotContain("this-token-was-never-issued", process.Output, StringComparison.Ordinal);

        // Said once, as the reference does (it was an error line, the session's end and the fatal line).
        var lines = process.Output.Split('\n').Where(l => l.Contains("HTTP 401", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"the rejection is logged {lines.Count} times:\n{process.Output}");
    }

    [Fact]
    public async Task UntrustedCertificateHintNamesTheCaPathOptionAndTheEndIsSaidOnce()
    {
        // No -c: the gateway's self-signed certificate is not trusted; no retries, so the process ends.
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", Gateway.Endpoint, "-d", "22", "--settings-json", Settings(("websocket", "connect_retry_count", "0"))],
            Token("any"));
        await using var _ = process;

        Assert.Equal(4, code);
        var lines = process.Output.Split('\n').Where(l => l.Contains("is not trusted", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains("[fatal] could not connect after 1 attempt(s)", line, StringComparison.Ordinal);
        Assert.Contains("-c/--capath", line, StringComparison.Ordinal);
        Assert.Contains("-k/--no-ssl-host-verify", line, StringComparison.Ordinal);
        Assert.DoesNotContain("with caPath", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExhaustedConnectRetriesExitFour()
    {
        int closed = Tcp.FreePort();
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", $"127.0.0.1:{closed}", "-d", "22", "--settings-json", Settings(("websocket", "connect_retry_count", "1"), ("websocket", "retry_delay_ms", "100"))],
            Token("any"));
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Contains("could not connect after 2 attempt(s)", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourcePortInUseExitsFiveNamingTheOptionAndPort()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        var (code, process) = await LocalProxyProcess.RunAsync([.. Gateway.EndpointArgs(), "-s", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-b", "127.0.0.1"], Token("any"));
        await using var _ = process;

        Assert.Equal(5, code);
        Assert.Contains("-s/--source-listen-port", process.Stderr, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TunnelClosedByTheServiceExitsZero()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start([.. Gateway.EndpointArgs(), "-d", "SSH=127.0.0.1:9"], Token(tunnel.DestinationAccessToken));
        await destination.WaitReadyAsync();

        await Gateway.CloseTunnelAsync(tunnel.TunnelId);

        Assert.Equal(0, await destination.WaitForExitAsync());
        Assert.Contains("closed by the service", destination.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceIdsThatDoNotMatchTheMapExitOne()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        var (code, process) = await LocalProxyProcess.RunAsync([.. Gateway.EndpointArgs(), "-d", "WEB=127.0.0.1:80"], Token(tunnel.DestinationAccessToken));
        await using var _ = process;

        Assert.Equal(1, code);
        Assert.Contains("do not match the configured services", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2MessageFormatSourceCarriesTrafficToADestination()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start([.. Gateway.EndpointArgs(), "-d", $"127.0.0.1:{echo.Port}"], Token(tunnel.DestinationAccessToken));
        await destination.WaitReadyAsync();
        var (source, port) = await LocalProxyProcess.StartSourceAsync(p => [.. Gateway.EndpointArgs(), "-s", $"{p}", "-b", "127.0.0.1", "-y", "V2"], Token(tunnel.SourceAccessToken));
        await using var sourceProcess = source;

        // V2 carries one connection per stream: the second connects once the first one's stream is
        // gone end to end (a second simultaneous connection would end both, as in the reference).
        for (int i = 0; i < 2; i++)
        {
            using var client = await Tcp.ConnectAsync(port);
            var payload = Tcp.RandomBytes(100_000);
            Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
            client.Shutdown(SocketShutdown.Send);
            await echo.WaitIdleAsync();
        }

        Assert.Equal(2, echo.Accepted);
    }

    private static readonly TimeSpan ProxyRunnerStopBound = TimeSpan.FromSeconds(10);

    private static Dictionary<string, string?> Token(string accessToken) => new() { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = accessToken };

    /// <summary>A settings file (reference format) with the given websocket/tcp overrides.</summary>
    private static string Settings(params (string Section, string Key, string Value)[] values)
    {
        var sections = values.GroupBy(v => v.Section).Select(g =>
            $"\"{g.Key}\": {{ {string.Join(", ", g.Select(v => $"\"{v.Key}\": \"{v.Value}\""))} }}");
        string path = Path.Combine(Directory.CreateTempSubdirectory("localproxy-settings-").FullName, "settings.json");
        File.WriteAllText(path, $"{{ \"tunneling\": {{ \"proxy\": {{ {string.Join(", ", sections)} }} }} }}");
        return path;
    }

    [GeneratedRegex(@"\[info\] stopped$", RegexOptions.Multiline)]
    private static partial Regex StoppedLine();

    [GeneratedRegex(@"connect failed .*; retry 1 in")]
    private static partial Regex RetryLine();

    [GeneratedRegex(@"\[fatal\] the service rejected the handshake: .*HTTP 4\d\d")]
    private static partial Regex RejectedLine();
}
