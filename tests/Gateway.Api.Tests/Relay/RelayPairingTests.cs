using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

public sealed class RelayPairingTests
{
    [Fact]
    public async Task PairedEndsGetServiceIdsAndExchangeFramesBothWays()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH", "WEB");

        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken));
        var sourceIds = await source.ReceiveAsync();
        Assert.Equal(MessageType.ServiceIds, sourceIds.Type);
        Assert.Equal(["SSH", "WEB"], sourceIds.AvailableServiceIds);
        Assert.Equal("aws.iot.securetunneling-3.0", source.Socket.SubProtocol);
        Assert.NotNull(source.Socket.HttpResponseHeaders?["channel-id"]);

        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(["SSH", "WEB"], (await destination.ReceiveAsync()).AvailableServiceIds);

        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        var data = TunnelMessages.Data(1, "SSH", 1, "hello"u8);
        await source.SendAsync(start);
        await source.SendAsync(data);
        Assert.Equal(start, await destination.ReceiveAsync());
        Assert.Equal(data, await destination.ReceiveAsync());

        var reply = TunnelMessages.Data(1, "SSH", 1, "world"u8);
        await destination.SendAsync(reply);
        Assert.Equal(reply, await source.ReceiveAsync());
    }
}
