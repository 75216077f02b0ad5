using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Interop.Tests;

/// <summary>
/// The reference through our relay across a session's life: a tunnel closed or expiring, a
/// destination service that refuses, and pings over many periods. Relay restarts are in
/// <see cref="RelayRestartTests"/>.
/// </summary>
public sealed partial class LifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BothReferenceEndsExitZeroWhenTheTunnelIsClosed()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var destination = await Ends.StartDestinationAsync(EndKind.Reference, gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output);
        await using var source = await Ends.StartSourceAsync(EndKind.Reference, gateway, tunnel.SourceAccessToken, ["SSH"], output);
        using var client = await Tcp.ConnectAsync(source.Port());
        await Traffic.EchoVerifiedAsync(client, Traffic.Small);

        await gateway.CloseTunnelAsync(tunnel.TunnelId);

        Assert.Equal(0, await source.Process!.WaitForExitAsync());
        Assert.Equal(0, await destination.Process!.WaitForExitAsync());

        // The local connection ends with the process (closed or reset; bounded).
        await Tcp.WaitClosedAsync(client);
    }

    [Fact]
    public async Task BothReferenceEndsExitZeroWhenTheTunnelExpires()
    {
        // The relay's clock is a fake one: the tunnel's minute passes at once, the processes run in real time.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time);
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync(["SSH"], lifetimeMinutes: 1);
        await using var destination = await Ends.StartDestinationAsync(EndKind.Reference, gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output);
        await using var source = await Ends.StartSourceAsync(EndKind.Reference, gateway, tunnel.SourceAccessToken, ["SSH"], output);
        using (var client = await Tcp.ConnectAsync(source.Port()))
        {
            await Traffic.EchoVerifiedAsync(client, Traffic.Small);
        }

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(0, await source.Process!.WaitForExitAsync());
        Assert.Equal(0, await destination.Process!.WaitForExitAsync());
    }

    [Fact]
    public async Task TheReferencesStreamResetForARefusedServiceReachesOurSource()
    {
        await using var gateway = await TestGateway.StartAsync();
        int closedPort = Tcp.FreePort();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        // Two attempts 100 ms apart instead of six over 12.5 s (docs/protocol.md 8.3).
        var retries = new EndOptions { SettingsJson = """{"tunneling":{"proxy":{"tcp":{"connection_retry_count":"1","connection_retry_delay_ms":"100"}}}}""" };
        await using var destination = await Ends.StartDestinationAsync(EndKind.Reference, gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{closedPort}", output, retries);
        await using var source = await Ends.StartSourceAsync(EndKind.Engine, gateway, tunnel.SourceAccessToken, ["SSH"], output);

        using var client = await Tcp.ConnectAsync(source.Port());
        await client.SendAsync(new byte[] { 1, 2, 3 });

        // Our source closes the local connection when the reset arrives, and says so.
        Assert.True(await Tcp.WaitClosedAsync(client), "the local connection was reset instead of closed");
        var log = await gateway.SessionLogAsync(source.SessionId!);
        Assert.Contains(log, line => line.Contains("stream 1 of service SSH reset by the peer", StringComparison.Ordinal));
        Assert.False(destination.Process!.HasExited, destination.ToString());
    }

    [Fact]
    public async Task TheReferencesPingsAreAnsweredThroughOurRelayForManyPeriods()
    {
        // The reference pings every 20 s by default; 200 ms here, so that ten periods pass in about two seconds.
        const int Periods = 10;
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var pings = new EndOptions { SettingsJson = """{"tunneling":{"proxy":{"websocket":{"ping_period_ms":"200"}}}}""", ExtraArgs = ["-v", "5"] };
        await using var destination = await Ends.StartDestinationAsync(EndKind.Reference, gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output, pings);
        await using var source = await Ends.StartSourceAsync(EndKind.Reference, gateway, tunnel.SourceAccessToken, ["SSH"], output, pings);
        using var client = await Tcp.ConnectAsync(source.Port());
        await Traffic.EchoVerifiedAsync(client, Traffic.Small);

        // Every ping gets its pong from the relay; the connection carries data between and after them.
        await source.Process!.WaitForLineAsync(PongReceived(), Bounds.Step, occurrence: Periods);
        await destination.Process!.WaitForLineAsync(PongReceived(), Bounds.Step, occurrence: Periods);
        await Traffic.EchoVerifiedAsync(client, Traffic.ParallelSize);
        Assert.Single(source.Process.Output.Split('\n'), line => line.Contains("Successfully established websocket connection", StringComparison.Ordinal));
        Assert.Single(destination.Process.Output.Split('\n'), line => line.Contains("Successfully established websocket connection", StringComparison.Ordinal));
    }

    /// <summary>The reference's debug line for a pong (its WebSocket control frame type 2).</summary>
    [GeneratedRegex(@"\[debug\] Control message received enum\(close=0, ping=1, pong=2\): 2")]
    private static partial Regex PongReceived();
}
