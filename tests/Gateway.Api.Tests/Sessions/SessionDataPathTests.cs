using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

public sealed class SessionDataPathTests
{
    [Fact]
    public async Task CarriesTenMegabytesEachWayThroughTheRelay()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        int port = SessionHarness.FreePort();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        var source = sessions.StartOrThrow(gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={port}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TestGateway.Timeout);
        var stream = client.GetStream();
        var sent = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        var received = new byte[sent.Length];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = stream.ReadExactlyAsync(received, cts.Token).AsTask();
        await stream.WriteAsync(sent, cts.Token);
        await reading;
        Assert.True(sent.AsSpan().SequenceEqual(received), "echoed bytes differ");

        var snapshot = sessions.Get(source.Id)!;
        Assert.Equal(sent.Length, snapshot.BytesToTunnel);
        Assert.Equal(sent.Length, snapshot.BytesFromTunnel);
        var stopped = await sessions.StopAsync(source.Id);
        Assert.Equal(SessionState.Stopped, stopped!.State);
    }
}
