using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>
/// protocol.md section 17: beyond tcp.max_active_connections (per service) or
/// limits.max_session_connections (per session) the extra connection is refused, the others go on.
/// The bandwidth caps (limits.*, Relay:TunnelBandwidthLimit) delay traffic and never lose any.
/// </summary>
public sealed class SessionConnectionLimitTests
{
    [Fact]
    public async Task ThirdConnectionIsClosedAtOnceAndTheFirstTwoStillEcho()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoListener.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var limited = SessionHarness.FastSettings with { TcpMaxActiveConnections = 2 };
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}", limited));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var first = await LocalClient.ConnectAsync(ports[0]);
        using var second = await LocalClient.ConnectAsync(ports[0]);
        await first.EchoRandomAsync();
        await second.EchoRandomAsync();
        Assert.Equal(2, sessions.Get(source.Id)!.ActiveConnections);

        using var third = await LocalClient.ConnectAsync(ports[0]);
        var (_, bytes) = await third.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, bytes);

        await first.EchoRandomAsync(64 * 1024);
        await second.EchoRandomAsync(64 * 1024);
        var snapshot = sessions.Get(source.Id)!;
        Assert.Equal(2, snapshot.ActiveConnections);
        Assert.Equal([1u, 2u], Assert.Single(snapshot.Services).Connections.Select(c => c.ConnectionId));
        Assert.Equal(2, echo.Accepted);
        Assert.True(SessionHarness.IsReady(snapshot));
        Assert.Contains(sessions.GetLog(source.Id)!, l => l.Message.Contains("tcp.max_active_connections", StringComparison.Ordinal));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task BeyondTheSessionCapANewConnectionOnAnyServiceIsRefusedAtOnce()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoListener.Start();
        var tunnel = await gateway.CreateTunnelAsync("A", "B");
        var sessions = gateway.Sessions();
        var limited = SessionHarness.FastSettings with { MaxSessionConnections = 2 };
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"A={echo.Port},B={echo.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(2, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"A={p[0]},B={p[1]}", limited));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var first = await LocalClient.ConnectAsync(ports[0]);
        using var second = await LocalClient.ConnectAsync(ports[1]);
        await first.EchoRandomAsync();
        await second.EchoRandomAsync();

        using var third = await LocalClient.ConnectAsync(ports[1]);
        var (_, bytes) = await third.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, bytes);
        await first.EchoRandomAsync(64 * 1024);
        await second.EchoRandomAsync(64 * 1024);

        var snapshot = sessions.Get(source.Id)!;
        Assert.Equal(2, snapshot.ActiveConnections);
        Assert.Equal(1, snapshot.ConnectionsRefusedByLimit);
        Assert.Equal(2, echo.Accepted);
        Assert.Contains(sessions.GetLog(source.Id)!, l => l.Message.Contains("limits.max_session_connections", StringComparison.Ordinal));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task CappedTrafficArrivesIntactAndTheWaitIsCounted()
    {
        // Every cap at once, on a relay capped too: the session each way, each connection, the tunnel.
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Relay:TunnelBandwidthLimit"] = "400000" });
        using var echo = EchoListener.Start();
        var tunnel = await gateway.CreateTunnelAsync("A");
        var sessions = gateway.Sessions();
        var capped = SessionHarness.FastSettings with { SessionBandwidthToTunnel = 300_000, SessionBandwidthFromTunnel = 300_000, ConnectionBandwidth = 200_000 };
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"A={echo.Port}", capped));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"A={p[0]}", capped));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var first = await LocalClient.ConnectAsync(ports[0]);
        using var second = await LocalClient.ConnectAsync(ports[0]);
        await Task.WhenAll(
            first.EchoRandomAsync(384 * 1024, TimeSpan.FromSeconds(60)),
            second.EchoRandomAsync(384 * 1024, TimeSpan.FromSeconds(60)));

        // 768 KiB each way is several bucketfuls of every cap: each of them made someone wait.
        var snapshot = sessions.Get(source.Id)!;
        Assert.True(snapshot.ThrottledToTunnelMs > 0);
        Assert.True(snapshot.ThrottledConnectionsMs > 0);
        Assert.True(sessions.Get(source.Id)!.ThrottledFromTunnelMs > 0 || sessions.Get(destination.Id)!.ThrottledFromTunnelMs > 0);
        gateway.Logs.AssertNoErrors();
    }
}
