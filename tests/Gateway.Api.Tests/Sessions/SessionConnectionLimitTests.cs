using System.Net.Http.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>
/// docs/protocol.md section 17: beyond tcp.max_active_connections (per service) or
/// limits.max_session_connections (per session) the extra connection is refused, the others go on.
/// The bandwidth caps (limits.*, Relay:TunnelBandwidthLimit) delay traffic and never lose any.
/// </summary>
public sealed class SessionConnectionLimitTests
{
    [Fact]
    public async Task ThirdConnectionIsClosedAtOnceAndTheFirstTwoStillEcho()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
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
        using var echo = EchoServer.Start();
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
        // Each cap where it is the tightest on its path (only that one is sure to wait): 2 x 256 KiB
        // each way is several bucketfuls of it. The relay is capped too, above all of them.
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Relay:TunnelBandwidthLimit"] = "1000000" });
        var fast = SessionHarness.FastSettings;

        var (toTunnel, _) = await EchoThroughCapsAsync(gateway, fast with { SessionBandwidthToTunnel = 200_000 }, fast);
        Assert.True(toTunnel.ThrottledToTunnelMs > 0);

        var (perConnection, _) = await EchoThroughCapsAsync(gateway, fast with { ConnectionBandwidth = 100_000 }, fast);
        Assert.True(perConnection.ThrottledConnectionsMs > 0);

        var (_, fromTunnel) = await EchoThroughCapsAsync(gateway, fast, fast with { SessionBandwidthFromTunnel = 200_000 });
        Assert.True(fromTunnel.ThrottledFromTunnelMs > 0);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task TheRelaysTunnelCapDelaysTrafficIntactAndCountsTheWait()
    {
        // Both ends' senders in the relay are capped. An echo would not do: its answers come back
        // already paced by the cap toward the destination, so the way back might never wait. Here
        // the service talks while the client talks, so each way offers its bytes at once: 384 KiB
        // at 200 kB/s is about three bucketfuls beyond the burst, each way.
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Relay:TunnelBandwidthLimit"] = "200000" });
        const int Size = 384 * 1024;
        byte[] up = Tcp.RandomBytes(Size), down = Tcp.RandomBytes(Size);
        using var service = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        service.Start();
        int servicePort = ((System.Net.IPEndPoint)service.LocalEndpoint).Port;
        var tunnel = await gateway.CreateTunnelAsync("A");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"A={servicePort}", SessionHarness.FastSettings));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"A={p[0]}", SessionHarness.FastSettings));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await Tcp.ConnectAsync(ports[0]);
        using var accepted = await service.AcceptSocketAsync(cts.Token);
        var clientSends = Tcp.SendAllAsync(client, up, cts.Token);
        var serviceSends = Tcp.SendAllAsync(accepted, down, cts.Token);
        var serviceGot = Tcp.ReceiveExactlyAsync(accepted, Size, cts.Token);
        var clientGot = Tcp.ReceiveExactlyAsync(client, Size, cts.Token);
        await Task.WhenAll(clientSends, serviceSends, serviceGot, clientGot);
        Assert.Equal(up, await serviceGot);
        Assert.Equal(down, await clientGot);

        // While both ends are connected: the counts are their current connections'.
        using var http = gateway.CreateClient();
        var relayed = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/relay/tunnels/{tunnel.TunnelId}");
        Assert.True(relayed.GetProperty("source").GetProperty("throttledMs").GetDouble() > 0, relayed.ToString());
        Assert.True(relayed.GetProperty("destination").GetProperty("throttledMs").GetDouble() > 0, relayed.ToString());
        await sessions.StopAsync(source.Id).WaitAsync(TestGateway.Timeout);
        await sessions.StopAsync(destination.Id).WaitAsync(TestGateway.Timeout);
        gateway.Logs.AssertNoErrors();
    }

    // Two connections echo 256 KiB of random bytes each at once (the echo checks every byte), then the sessions stop.
    private static async Task<(SessionSnapshot Source, SessionSnapshot Destination)> EchoThroughCapsAsync(TestGateway gateway, Gateway.Engine.Settings.ProxySettings sourceSettings, Gateway.Engine.Settings.ProxySettings destinationSettings)
    {
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("A");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"A={echo.Port}", destinationSettings));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"A={p[0]}", sourceSettings));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using (var first = await LocalClient.ConnectAsync(ports[0]))
        using (var second = await LocalClient.ConnectAsync(ports[0]))
        {
            await Task.WhenAll(
                first.EchoRandomAsync(256 * 1024, TimeSpan.FromSeconds(60)),
                second.EchoRandomAsync(256 * 1024, TimeSpan.FromSeconds(60)));
        }

        var result = (sessions.Get(source.Id)!, sessions.Get(destination.Id)!);
        await sessions.StopAsync(source.Id).WaitAsync(TestGateway.Timeout);
        await sessions.StopAsync(destination.Id).WaitAsync(TestGateway.Timeout);
        return result;
    }
}
