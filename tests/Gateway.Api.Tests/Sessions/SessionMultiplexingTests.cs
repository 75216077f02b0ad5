using System.Security.Cryptography;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>V3 multiplexing end to end: several services, many simultaneous connections per service, one stream each.</summary>
public sealed class SessionMultiplexingTests
{
    private const int ConnectionsPerService = 20;

    private const int BytesPerConnection = 64 * 1024;

    private static readonly string[] ServiceIds = ["A", "B", "C"];

    [Fact]
    public async Task TwentySimultaneousConnectionsOnEachOfThreeServicesEchoTheirOwnBytes()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echoA = EchoServer.Start();
        using var echoB = EchoServer.Start();
        using var echoC = EchoServer.Start();
        EchoServer[] echoes = [echoA, echoB, echoC];
        var tunnel = await gateway.CreateTunnelAsync(ServiceIds);
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"A={echoA.Port},B={echoB.Port},C={echoC.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(3, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"A={p[0]},B={p[1]},C={p[2]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        var clients = new List<System.Net.Sockets.TcpClient>();
        try
        {
            var connecting = new List<Task<System.Net.Sockets.TcpClient>>();
            foreach (int port in ports)
            {
                for (int i = 0; i < ConnectionsPerService; i++)
                {
                    connecting.Add(LocalClient.ConnectAsync(port));
                }
            }

            clients.AddRange(await Task.WhenAll(connecting));

            // Every client sends its own random bytes at the same time and checks its echo.
            await Task.WhenAll(clients.Select(c => c.EchoAsync(RandomNumberGenerator.GetBytes(BytesPerConnection), TimeSpan.FromSeconds(30))));

            foreach (var echo in echoes)
            {
                Assert.Equal(ConnectionsPerService, echo.Accepted);
            }

            // While the clients are open: each service carries its 20 connections on one stream, on both ends.
            foreach (var snapshot in new[] { sessions.Get(source.Id)!, sessions.Get(destination.Id)! })
            {
                Assert.Equal(3 * ConnectionsPerService, snapshot.ActiveConnections);
                Assert.Equal(ServiceIds, snapshot.Services.Select(s => s.ServiceId).Order(StringComparer.Ordinal));
                foreach (var service in snapshot.Services)
                {
                    Assert.Equal(ConnectionsPerService, service.Connections.Count);
                    Assert.Single(service.Connections.Select(c => c.StreamId).Distinct());
                    Assert.Equal(ConnectionsPerService, service.Connections.Select(c => c.ConnectionId).Distinct().Count());
                    Assert.All(service.Connections, c => Assert.Equal($"{service.ServiceId}.{c.ConnectionId}", c.Key));
                }
            }

            var sourceSnapshot = sessions.Get(source.Id)!;
            long expected = 3L * ConnectionsPerService * BytesPerConnection;
            Assert.Equal(expected, sourceSnapshot.BytesToTunnel);
            Assert.Equal(expected, sourceSnapshot.BytesFromTunnel);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        // Once the clients close, both ends drop every connection.
        await sessions.WaitForAsync(source.Id, s => s.ActiveConnections == 0);
        await sessions.WaitForAsync(destination.Id, s => s.ActiveConnections == 0);
        Assert.True(SessionHarness.IsReady(sessions.Get(source.Id)!));
        Assert.True(SessionHarness.IsReady(sessions.Get(destination.Id)!));
        gateway.Logs.AssertNoErrors();
    }
}
