using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// Rows of docs/protocol.md section 17 ("where our engine deliberately differs from the reference") that
/// the reference can show through our relay: each test puts the reference and ours in the same
/// situation and asserts what each does.
/// </summary>
public sealed partial class SideBySideTests(GatewayFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    /// <summary>Row "handshake answered 4xx": the reference logs and exits 0 without retrying; ours exits non-zero.</summary>
    [Fact]
    public async Task HandshakeAnswered4xxReferenceExitsZeroOursFails()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string wrongToken = tunnel.DestinationAccessToken + "-not-this-one";

        await using var reference = Ends.StartProcess(EndKind.Reference, Gateway, wrongToken, ["-d", "SSH=127.0.0.1:1"], output);
        await using var ours = Ends.StartProcess(EndKind.Cli, Gateway, wrongToken, ["-d", "SSH=127.0.0.1:1"], output);

        Assert.Equal(0, await reference.WaitForExitAsync());
        Assert.Single(AttemptLines().Matches(reference.Output));
        Assert.Equal(3, await ours.WaitForExitAsync()); // ExitCodes.HandshakeRejected
    }

    /// <summary>Row "handshake 5xx / network error": with connect_retry_count 1 the reference goes on retrying; ours stops after one retry.</summary>
    [Fact]
    public async Task ConnectRetryCountOneReferenceRetriesOnOursStops()
    {
        int closedPort = Tcp.FreePort();
        var settings = new EndOptions
        {
            SettingsJson = """{"tunneling":{"proxy":{"websocket":{"connect_retry_count":"1","retry_delay_ms":"100"}}}}""",
        };
        string[] args = ["-e", $"127.0.0.1:{closedPort}", "-d", "SSH=127.0.0.1:1"];

        await using var reference = StartOutsideTheRelay(EndKind.Reference, args, settings);
        await using var ours = StartOutsideTheRelay(EndKind.Cli, args, settings);

        // A fourth attempt: "1" behaved as infinite (its retry object is made anew on every attempt).
        await reference.WaitForLineAsync(AttemptLines(), Bounds.Step, occurrence: 4);
        Assert.False(reference.HasExited, reference.Output);
        Assert.Equal(4, await ours.WaitForExitAsync()); // ExitCodes.ServiceUnavailable
    }

    /// <summary>
    /// Row "more than tcp.max_active_connections on one service": with the limit at 1 the reference
    /// aborts on the second connection; ours closes that connection and the first goes on.
    /// </summary>
    [Fact]
    public async Task MoreThanMaxActiveConnectionsReferenceAbortsOursRefusesTheExtraOne()
    {
        var limit = new EndOptions { SettingsJson = """{"tunneling":{"proxy":{"tcp":{"max_active_connections":"1"}}}}""" };
        foreach (var kind in new[] { EndKind.Reference, EndKind.Cli })
        {
            using var echo = EchoServer.Start();
            var tunnel = await Gateway.CreateTunnelAsync("SSH");
            await using var destination = await Ends.StartDestinationAsync(EndKind.Engine, Gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output);
            await using var source = await Ends.StartSourceAsync(kind, Gateway, tunnel.SourceAccessToken, ["SSH"], output, limit);
            using var first = await Tcp.ConnectAsync(source.Port());
            await Traffic.EchoVerifiedAsync(first, Traffic.Small);

            if (kind == EndKind.Reference)
            {
                // It dies on the connection beyond the limit, or already once the first fills it
                // (then the second connect is refused): either way the process is gone.
                try
                {
                    using var second = await Tcp.ConnectAsync(source.Port());
                }
                catch (SocketException)
                {
                }

                // SIGSEGV (128 + 11): the null dereference of docs/protocol.md 8.2 (whose probe saw SIGABRT,
                // shared_ptr's assertion; this release build has no assertions).
                Assert.Equal(139, await source.Process!.WaitForExitAsync());
            }
            else
            {
                using var second = await Tcp.ConnectAsync(source.Port());
                await Tcp.WaitClosedAsync(second);
                await Traffic.EchoVerifiedAsync(first, Traffic.Small);
                Assert.False(source.Process!.HasExited, source.ToString());
                Assert.Equal(1, echo.Accepted);
            }
        }
    }

    /// <summary>
    /// Row "slow local TCP reader": a destination's local application that does not read while the
    /// source pushes 16 MB. The reference's buffer toward it overflows and it exits 1; ours holds,
    /// and once the application reads it gets every byte.
    /// </summary>
    [Theory]
    [InlineData(EndKind.Reference)]
    [InlineData(EndKind.Engine)]
    public async Task SlowLocalReaderReferenceDiesOursDeliversEverything(EndKind destinationKind)
    {
        const int Size = 16 * 1024 * 1024;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int appPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = await Ends.StartDestinationAsync(destinationKind, Gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{appPort}", output);
        await using var source = await Ends.StartSourceAsync(EndKind.Engine, Gateway, tunnel.SourceAccessToken, ["SSH"], output);
        using var client = await Tcp.ConnectAsync(source.Port());
        using var accept = new CancellationTokenSource(Bounds.Step);
        var payload = Tcp.RandomBytes(Size);
        using var sending = new CancellationTokenSource(Bounds.Long);
        var send = Tcp.SendAllAsync(client, payload, sending.Token);

        // The application accepts and, for now, reads nothing (a small receive buffer, as in the probe).
        using var app = await listener.AcceptSocketAsync(accept.Token);
        if (destinationKind == EndKind.Reference)
        {
            Assert.Equal(1, await destination.Process!.WaitForExitAsync(Bounds.Long));
            Assert.Contains("basic_multi_buffer too long", destination.Process.Output, StringComparison.Ordinal);

            // What the source had sent sits in buffers along the way, or the reset closed it.
            sending.Cancel();
            try
            {
                await send;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
            }

            return;
        }

        // Ours: the source's send stalls (back-pressure through the tunnel) instead of anything failing.
        var session = await Gateway.WaitForSessionAsync(destination.SessionId!, s => s.GetProperty("receivePaused").GetBoolean());
        Assert.Equal("Connected", TestGateway.State(session));
        using var reading = new CancellationTokenSource(Bounds.Long);
        var received = await Tcp.ReceiveExactlyAsync(app, Size, reading.Token);
        await send;
        Assert.True(payload.AsSpan().SequenceEqual(received), "the bytes that arrived differ from those sent");
    }

    /// <summary>Row "IPv6 literal in address:port": the reference cannot connect to <c>[::1]:PORT</c>; ours can.</summary>
    [Theory]
    [InlineData(EndKind.Reference)]
    [InlineData(EndKind.Cli)]
    public async Task IPv6LiteralEndpointReferenceFailsOursConnects(EndKind destinationKind)
    {
        using var echo = EchoServer.Start(IPAddress.IPv6Loopback);
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        var once = new EndOptions { SettingsJson = """{"tunneling":{"proxy":{"tcp":{"connection_retry_count":"0"}}}}""" };
        await using var destination = await Ends.StartDestinationAsync(destinationKind, Gateway, tunnel.DestinationAccessToken, $"SSH=[::1]:{echo.Port}", output, once);
        await using var source = await Ends.StartSourceAsync(EndKind.Engine, Gateway, tunnel.SourceAccessToken, ["SSH"], output);
        using var client = await Tcp.ConnectAsync(source.Port());

        if (destinationKind == EndKind.Reference)
        {
            await client.SendAsync(new byte[] { 1 });
            await Tcp.WaitClosedAsync(client);
            Assert.Equal(0, echo.Accepted);
        }
        else
        {
            await Traffic.EchoVerifiedAsync(client, Traffic.Small);
            Assert.Equal(IPAddress.IPv6Loopback, Assert.Single(echo.Peers).Address);
        }
    }

    /// <summary>Row "-b in destination mode": the reference resolves the address but connects from 127.0.0.1; ours binds to it.</summary>
    [Theory]
    [InlineData(EndKind.Reference, "127.0.0.1")]
    [InlineData(EndKind.Cli, "127.0.0.2")]
    public async Task BindAddressInDestinationModeReferenceIgnoresItOursBinds(EndKind destinationKind, string seenFrom)
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        var bind = new EndOptions { ExtraArgs = ["-b", "127.0.0.2"] };
        await using var destination = await Ends.StartDestinationAsync(destinationKind, Gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output, bind);
        await using var source = await Ends.StartSourceAsync(EndKind.Engine, Gateway, tunnel.SourceAccessToken, ["SSH"], output);
        using var client = await Tcp.ConnectAsync(source.Port());

        await Traffic.EchoVerifiedAsync(client, Traffic.Small);

        Assert.Equal(IPAddress.Parse(seenFrom), Assert.Single(echo.Peers).Address);
    }

    /// <summary>Starts a process whose <c>-e</c> is in <paramref name="args"/> (not this relay's).</summary>
    private LocalProxyProcess StartOutsideTheRelay(EndKind kind, string[] args, EndOptions options)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("interop-settings-").FullName, "settings.json");
        File.WriteAllText(file, options.SettingsJson);
        return LocalProxyProcess.Start(
            [.. args, "--settings-json", file],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = "token-for-a-service-that-is-not-there" },
            executable: kind == EndKind.Reference ? ReferenceProxy.Executable : null,
            log: output.WriteLine);
    }

    /// <summary>The reference's line for each connect attempt to the service.</summary>
    [GeneratedRegex(@"\[info\] Attempting to establish web socket connection with endpoint")]
    private static partial Regex AttemptLines();
}
