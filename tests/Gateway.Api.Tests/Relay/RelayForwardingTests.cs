using System.Text;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// What the relay does with the bytes between two ends: SERVICE_IDS first, frames unchanged,
/// each WebSocket message forwarded as one message, byte counters, pings and pongs.
/// </summary>
public sealed class RelayForwardingTests
{
    private const string PingPayload = "1795579594683";

    [Theory]
    [InlineData("", "00020805")]
    [InlineData("SSH1", "00080805320453534831")]
    [InlineData("SSH,WEB,RDP", "00110805320353534832035745423203524450")]
    public async Task BothEndsGetExactlyTheTunnelsServiceIdsAsTheirFirstMessage(string serviceList, string expectedHex)
    {
        var services = serviceList.Split(',', StringSplitOptions.RemoveEmptyEntries);
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync(services);
        var expected = Convert.FromHexString(expectedHex);
        Assert.Equal(FrameWriter.ToArray(TunnelMessages.ServiceIds(services)), expected);

        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken));
        Assert.Equal(expected, await source.ReceiveMessageAsync());

        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(expected, await destination.ReceiveMessageAsync());

        // What follows SERVICE_IDS is the other end's traffic, nothing the relay made up.
        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, services.FirstOrDefault(), 1));
        await source.SendRawAsync(start);
        Assert.Equal(start, await destination.ReceiveMessageAsync());
    }

    [Fact]
    public async Task BytesAreRelayedUnchangedBothWaysAndCountedPerDirection()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var before = await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId);
        Assert.Equal(0, before.Long("bytesSourceToDestination"));
        Assert.Equal(0, before.Long("bytesDestinationToSource"));

        var random = new Random(20261125);
        var toDestination = new List<byte[]> { FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1)), DataFrame(random, TunnelMessages.MaxPayloadSize) };
        var toSource = new List<byte[]> { DataFrame(random, TunnelMessages.MaxPayloadSize), DataFrame(random, 1) };
        for (int i = 0; i < 12; i++)
        {
            toDestination.Add(DataFrame(random, random.Next(1, TunnelMessages.MaxPayloadSize + 1)));
            toSource.Add(DataFrame(random, random.Next(1, TunnelMessages.MaxPayloadSize + 1)));
        }

        toDestination.Add(FrameWriter.ToArray(TunnelMessages.ConnectionReset(1, "SSH", 1)));
        foreach (var message in toDestination)
        {
            await source.SendRawAsync(message);
            Assert.Equal(message, await destination.ReceiveMessageAsync());
        }

        foreach (var message in toSource)
        {
            await destination.SendRawAsync(message);
            Assert.Equal(message, await source.ReceiveMessageAsync());
        }

        long sentBySource = toDestination.Sum(m => (long)m.Length);
        long sentByDestination = toSource.Sum(m => (long)m.Length);
        var after = await RelayForwardingSupport.WaitForTunnelAsync(
            gateway,
            tunnel.TunnelId,
            t => t.Long("bytesSourceToDestination") == sentBySource && t.Long("bytesDestinationToSource") == sentByDestination,
            $"byte counters {sentBySource}/{sentByDestination}");
        Assert.Equal(sentBySource, after.Long("bytesSourceToDestination"));
        Assert.Equal(sentByDestination, after.Long("bytesDestinationToSource"));
    }

    [Fact]
    public async Task TwoFramesInOneMessageArriveAsThatOneMessage()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        byte[] both = [.. FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1)), .. FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "hello"u8))];
        await source.SendRawAsync(both);
        Assert.Equal(both, await destination.ReceiveMessageAsync());

        byte[] reply = [.. FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "a"u8)), .. FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "b"u8))];
        await destination.SendRawAsync(reply);
        Assert.Equal(reply, await source.ReceiveMessageAsync());
    }

    [Fact]
    public async Task FrameSplitAcrossMessagesIsForwardedOnceWholeWithTheSameBytes()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
        var data = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, Encoding.ASCII.GetBytes(new string('x', 300))));
        var next = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "after"u8));

        // Split inside the length prefix, then in the body: the parts are held back until the
        // frame is whole and checked, then it goes on as one message.
        byte[][] parts = [start, data[..1], data[1..150], data[150..], next];
        foreach (var part in parts)
        {
            await source.SendRawAsync(part);
        }

        foreach (var whole in new[] { start, data, next })
        {
            Assert.Equal(whole, await destination.ReceiveMessageAsync());
        }

        // Frames straddling messages: the tail of one frame shares a message with the next frame.
        // The completed frame goes on alone, the frames after it as the rest of their message.
        var first = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "first"u8));
        var second = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "second"u8));
        var third = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "third"u8));
        var fourth = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "fourth"u8));
        byte[] messageA = [.. first, .. second[..5]];
        byte[] messageB = [.. second[5..], .. third, .. fourth[..2]];
        byte[] messageC = fourth[2..];
        await destination.SendRawAsync(messageA);
        await destination.SendRawAsync(messageB);
        await destination.SendRawAsync(messageC);
        foreach (var whole in new[] { first, second, third, fourth })
        {
            Assert.Equal(whole, await source.ReceiveMessageAsync());
        }

        // Every byte counted once, when its frame went on.
        long sent = start.Length + data.Length + next.Length;
        long received = first.Length + second.Length + third.Length + fourth.Length;
        await RelayForwardingSupport.WaitForTunnelAsync(
            gateway,
            tunnel.TunnelId,
            t => t.Long("bytesSourceToDestination") == sent && t.Long("bytesDestinationToSource") == received,
            $"byte counters {sent}/{received}");
    }

    [Fact]
    public async Task MessageSentAsSeveralWebSocketFragmentsArrivesWhole()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
        await source.SendRawAsync(start[..3], endOfMessage: false);
        await source.SendRawAsync(start[3..], endOfMessage: true);
        Assert.Equal(start, await destination.ReceiveMessageAsync());

        // As the reference proxy sends: 4096-byte fragments of one full-size DATA frame.
        var big = DataFrame(new Random(7), TunnelMessages.MaxPayloadSize);
        for (int offset = 0; offset < big.Length; offset += 4096)
        {
            int end = Math.Min(offset + 4096, big.Length);
            await destination.SendRawAsync(big[offset..end], endOfMessage: end == big.Length);
        }

        Assert.Equal(big, await source.ReceiveMessageAsync());
    }

    [Fact]
    public async Task EmptyBinaryMessageIsRelayedAsAnEmptyMessage()
    {
        // An idle relay end waits with a zero-byte read, which consumes an empty message whole.
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        await source.SendRawAsync([]);
        var empty = await destination.ReceiveMessageAsync();
        Assert.NotNull(empty);
        Assert.Empty(empty);

        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
        await source.SendRawAsync(start);
        Assert.Equal(start, await destination.ReceiveMessageAsync());
    }

    [Fact]
    public async Task MessageOfExactly131076BytesIsRelayedWhole()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        // Three DATA frames filling the WebSocket message limit exactly.
        var random = new Random(3);
        int overhead = FrameWriter.GetFrameLength(TunnelMessages.Data(1, "SSH", 1, new byte[20000]));
        overhead -= 20000;
        int payload = (131076 - (3 * overhead)) / 3;
        int last = 131076 - (2 * (payload + overhead)) - overhead;
        byte[] message = [.. DataFrame(random, payload), .. DataFrame(random, payload), .. DataFrame(random, last)];
        Assert.Equal(131076, message.Length);

        await source.SendRawAsync(message);
        Assert.Equal(message, await destination.ReceiveMessageAsync());
    }

    [Fact]
    public async Task PingIsAnsweredByOnePongEchoingItsPayloadAndNoUnsolicitedPongFollows()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var source = await RelayForwardingSupport.ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken);
        var serviceIds = await source.ReceiveFrameAsync();
        Assert.NotNull(serviceIds);
        Assert.Equal(RawFrame.Binary, serviceIds.Opcode);

        await source.SendFrameAsync(RawFrame.Ping, Encoding.ASCII.GetBytes(PingPayload));
        var pong = await source.ReceiveFrameAsync();
        Assert.NotNull(pong);
        Assert.Equal(RawFrame.Pong, pong.Opcode);
        Assert.True(pong.Fin);
        Assert.Equal(PingPayload, Encoding.ASCII.GetString(pong.Payload));

        var extra = await source.ReceiveFrameOrNothingAsync();
        Assert.True(extra is null, $"unexpected frame after the pong: opcode {extra?.Opcode}, payload '{(extra is null ? null : Encoding.ASCII.GetString(extra.Payload))}'");
    }

    [Fact]
    public async Task PongsFromAClientGetNoAnswerAndTheConnectionKeepsRelaying()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var source = await RelayForwardingSupport.ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken);
        Assert.Equal(RawFrame.Binary, (await source.ReceiveFrameAsync())?.Opcode);
        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await destination.ReceiveAsync()).Type);

        await source.SendFrameAsync(RawFrame.Pong, Encoding.ASCII.GetBytes(PingPayload));
        await source.SendFrameAsync(RawFrame.Pong, Array.Empty<byte>());

        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
        await source.SendFrameAsync(RawFrame.Binary, start);
        Assert.Equal(start, await destination.ReceiveMessageAsync());

        var reply = FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "still here"u8));
        await destination.SendRawAsync(reply);
        var next = await source.ReceiveFrameAsync();
        Assert.NotNull(next);
        Assert.Equal(RawFrame.Binary, next.Opcode);
        Assert.Equal(reply, next.Payload);
    }

    [Fact]
    public async Task PingBetweenFragmentsOfAMessageIsAnsweredAndTheMessageArrivesWhole()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var source = await RelayForwardingSupport.ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken);
        Assert.Equal(RawFrame.Binary, (await source.ReceiveFrameAsync())?.Opcode);
        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await destination.ReceiveAsync()).Type);

        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
        await source.SendFrameAsync(RawFrame.Binary, start.AsMemory(0, 4), fin: false);
        await source.SendFrameAsync(RawFrame.Ping, Encoding.ASCII.GetBytes(PingPayload));
        await source.SendFrameAsync(RawFrame.Continuation, start.AsMemory(4), fin: true);

        var pong = await source.ReceiveFrameAsync();
        Assert.NotNull(pong);
        Assert.Equal(RawFrame.Pong, pong.Opcode);
        Assert.Equal(PingPayload, Encoding.ASCII.GetString(pong.Payload));
        Assert.Equal(start, await destination.ReceiveMessageAsync());
    }

    private static byte[] DataFrame(Random random, int payloadLength)
    {
        var payload = new byte[payloadLength];
        random.NextBytes(payload);
        return FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, payload));
    }
}
