using System.Net;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>Destination endpoint forms beyond a port: an IPv6 literal and a unix socket path.</summary>
public sealed class SessionDestinationEndpointTests
{
    [Fact]
    public async Task Ipv6LiteralAndUnixSocketEndpointsCarryData()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var v6 = EchoServer.Start(IPAddress.IPv6Loopback);
        using var unix = LocalServer.StartUnix(LocalServer.EchoAsync);
        var tunnel = await gateway.CreateTunnelAsync("V6", "UDS");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"V6=[::1]:{v6.Port},UDS={unix.UnixPath}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(2, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"V6={p[0]},UDS={p[1]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var toV6 = await LocalClient.ConnectAsync(ports[0]);
        using var toUnix = await LocalClient.ConnectAsync(ports[1]);
        await Task.WhenAll(toV6.EchoRandomAsync(512 * 1024, TimeSpan.FromSeconds(30)), toUnix.EchoRandomAsync(512 * 1024, TimeSpan.FromSeconds(30)));
        Assert.Equal(1, v6.Accepted);
        Assert.Equal(1, unix.Accepted);

        var services = sessions.Get(destination.Id)!.Services.ToDictionary(s => s.ServiceId!, StringComparer.Ordinal);
        var v6Connection = Assert.Single(services["V6"].Connections);
        Assert.Contains("::1", v6Connection.LocalPeer, StringComparison.Ordinal);
        Assert.Single(services["UDS"].Connections);

        // Closing the user's clients closes the app's side too.
        toUnix.Dispose();
        await unix.WaitFinishedAsync(1);
        toV6.Dispose();
        await sessions.WaitForAsync(destination.Id, s => s.ActiveConnections == 0);
        gateway.Logs.AssertNoErrors();
    }
}
