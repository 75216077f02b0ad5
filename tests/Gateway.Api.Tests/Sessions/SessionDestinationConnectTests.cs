using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>docs/protocol.md 8.3: a destination that cannot reach its local app resets the stream; the sessions stay up.</summary>
public sealed class SessionDestinationConnectTests
{
    [Fact]
    public async Task NothingListeningClosesTheSourceClientAndALaterConnectionWorksOnceTheAppIsUp()
    {
        await using var gateway = await TestGateway.StartAsync();
        int appPort = SessionHarness.FreePort();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var settings = SessionHarness.FastSettings with { TcpConnectionRetryCount = 1, TcpConnectionRetryDelayMs = 100 };
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={appPort}", settings));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using (var client = await LocalClient.ConnectAsync(ports[0]))
        {
            await client.GetStream().WriteAsync("nobody is listening"u8.ToArray());

            // Two attempts 100 ms apart, then STREAM_RESET: well within 5 s.
            var (how, bytes) = await client.WaitClosedAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(0, bytes);
            Assert.True(how.Length > 0);
        }

        await sessions.WaitForAsync(source.Id, s => s.ActiveConnections == 0);
        await sessions.WaitForAsync(destination.Id, s => s.ActiveConnections == 0);
        Assert.True(SessionHarness.IsReady(sessions.Get(source.Id)!));
        Assert.True(SessionHarness.IsReady(sessions.Get(destination.Id)!));

        // The app comes up on that port: the next connection (a new stream) goes through.
        using var echo = EchoServer.Start(port: appPort);
        using var second = await LocalClient.ConnectAsync(ports[0]);
        await second.EchoRandomAsync(64 * 1024);
        Assert.Equal(1, echo.Accepted);
        var snapshot = sessions.Get(source.Id)!;
        Assert.Equal(2, Assert.Single(Assert.Single(snapshot.Services).Connections).StreamId);
        Assert.Contains(sessions.GetLog(destination.Id)!, l => l.Message.Contains("sent STREAM_RESET", StringComparison.Ordinal));
        gateway.Logs.AssertNoErrors();
    }
}
