using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>protocol.md section 17: beyond tcp.max_active_connections the extra connection is refused, the others go on.</summary>
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
}
