using System.Net.Sockets;
using System.Text;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Sessions;

/// <summary>docs/protocol.md section 9: V1/V2 sources against our V3 destination, and a V3 source downgrading for a V2 peer.</summary>
public sealed class SessionCompatibilityTests
{
    [Theory]
    [InlineData(MessageFormat.V2)]
    [InlineData(MessageFormat.V1)]
    public async Task OlderSourceFormatCarriesDataThroughOurDestination(MessageFormat format)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}") with { MessageFormat = format });
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        // One connection per stream: two connections one after the other, each a new stream.
        for (int round = 1; round <= 2; round++)
        {
            using (var client = await LocalClient.ConnectAsync(ports[0]))
            {
                await client.EchoRandomAsync(256 * 1024, TimeSpan.FromSeconds(30));
                var snapshot = sessions.Get(source.Id)!;
                Assert.Equal(format, snapshot.MessageFormat);
                var connection = Assert.Single(Assert.Single(snapshot.Services).Connections);
                Assert.Equal(0u, connection.ConnectionId);
                Assert.Equal(round, connection.StreamId);
            }

            await sessions.WaitForAsync(source.Id, s => s.ActiveConnections == 0);
            await sessions.WaitForAsync(destination.Id, s => s.ActiveConnections == 0);
        }

        Assert.Equal(2, echo.Accepted);
        var final = sessions.Get(source.Id)!;
        Assert.True(SessionHarness.IsReady(final), $"{final.State} ({final.StateReason})");
        Assert.True(SessionHarness.IsReady(sessions.Get(destination.Id)!));
        gateway.Logs.AssertNoErrors();
    }

    /// <summary>
    /// Our destination always mirrors the source's format, so the V2 peer here is a tunnel end
    /// speaking raw frames through the relay: it answers the V3 source's STREAM_START with DATA
    /// that has no connection id, and the source switches to V2.
    /// </summary>
    [Fact]
    public async Task V3SourceDowngradesToV2WhenThePeerAnswersWithoutConnectionIds()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        await using var peer = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await peer.ReceiveAsync()).Type);
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}"));
        await sessions.WaitReadyAsync(source.Id);
        Assert.Equal(MessageFormat.V3, sessions.Get(source.Id)!.MessageFormat);

        using var client = await LocalClient.ConnectAsync(ports[0]);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        await stream.WriteAsync("hello"u8.ToArray(), cts.Token);

        var start = await peer.ReceiveAsync();
        Assert.Equal(MessageType.StreamStart, start.Type);
        Assert.Equal("SSH", start.ServiceId);
        Assert.Equal(1u, start.ConnectionId);
        var data = await peer.ReceiveAsync();
        Assert.Equal(MessageType.Data, data.Type);
        Assert.Equal(1u, data.ConnectionId);
        Assert.Equal("hello", Encoding.ASCII.GetString(data.Payload.Span));

        // The V2 peer answers without a connection id.
        await peer.SendAsync(TunnelMessages.Data(start.StreamId, "SSH", 0, "world"u8));
        var answer = new byte[5];
        await stream.ReadExactlyAsync(answer, cts.Token);
        Assert.Equal("world", Encoding.ASCII.GetString(answer));
        var downgraded = await sessions.WaitForAsync(source.Id, s => s.MessageFormat == MessageFormat.V2);
        Assert.True(SessionHarness.IsReady(downgraded));

        // From now on the source sends no connection id either.
        await stream.WriteAsync("again"u8.ToArray(), cts.Token);
        var next = await peer.ReceiveAsync();
        Assert.Equal(MessageType.Data, next.Type);
        Assert.Equal(start.StreamId, next.StreamId);
        Assert.Equal(0u, next.ConnectionId);
        Assert.Equal("again", Encoding.ASCII.GetString(next.Payload.Span));

        // Closing the local connection ends the stream the V2 way: STREAM_RESET, no CONNECTION_RESET.
        client.Client.Shutdown(SocketShutdown.Both);
        var reset = await peer.ReceiveAsync();
        Assert.Equal(MessageType.StreamReset, reset.Type);
        Assert.Equal(start.StreamId, reset.StreamId);
        Assert.Equal(0u, reset.ConnectionId);
    }
}
