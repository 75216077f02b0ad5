using System.Net;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>docs/protocol.md section 17: a close frame from the service ends both sessions Closed and closes their local connections.</summary>
public sealed class SessionCloseFrameTests
{
    [Fact]
    public async Task ClosingTheRelayTunnelEndsBothSessionsClosedWithCode1000()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var app = LocalServer.StartTcp(LocalServer.EchoAsync);
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={app.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);
        using var client = await LocalClient.ConnectAsync(ports[0]);
        await client.EchoRandomAsync();

        using (var http = gateway.CreateClient())
        {
            using var response = await http.DeleteAsync(new Uri($"/api/relay/tunnels/{tunnel.TunnelId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        static bool Ended(SessionSnapshot s) => s.State is SessionState.Closed or SessionState.Failed or SessionState.Stopped;
        var sourceClosed = await sessions.WaitForAsync(source.Id, Ended);
        var destinationClosed = await sessions.WaitForAsync(destination.Id, Ended);
        foreach (var closed in new[] { sourceClosed, destinationClosed })
        {
            Assert.Equal(SessionState.Closed, closed.State);
            Assert.Equal(1000, closed.CloseCode);
            Assert.False(string.IsNullOrEmpty(closed.CloseReason));
            Assert.Contains("1000", closed.StateReason, StringComparison.Ordinal);
            Assert.Equal(0, closed.ActiveConnections);
            Assert.Equal(0, closed.Reconnects);
        }

        // Local connections on both ends are closed: the user's client and the app's side.
        await client.WaitClosedAsync();
        await app.WaitFinishedAsync(1);

        // The source's port is released once the session ended.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, ports[0]);
        probe.Start();
        gateway.Logs.AssertNoErrors();
    }
}
