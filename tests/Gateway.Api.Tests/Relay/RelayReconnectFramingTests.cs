using System.Buffers.Binary;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// The relay checks frames from the start of each connection, so what the other end reads must
/// be cut at the same boundaries: an end that sends half a frame and reconnects must not get the
/// other end to read its next, checked frame as the rest of the old half (issue 14).
/// </summary>
public sealed class RelayReconnectFramingTests
{
    [Theory]
    [InlineData("source")]
    [InlineData("destination")]
    public async Task HalfAFrameSentBeforeAReconnectNeverReachesTheOtherEnd(string attacker)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string clientToken = RelayForwardingSupport.NewClientToken();
        bool fromSource = attacker == "source";
        string otherMode = fromSource ? "destination" : "source";
        string offenderToken = fromSource ? tunnel.SourceAccessToken : tunnel.DestinationAccessToken;
        await using var other = new TunnelSocket(await gateway.ConnectAsync(otherMode, fromSource ? tunnel.DestinationAccessToken : tunnel.SourceAccessToken));
        Assert.Equal(TunnelMessages.ServiceIds(["SSH"]), await other.ReceiveAsync());

        // Frame level, for the ping below.
        var offender = await RawWebSocket.ConnectAsync(
            gateway,
            $"/tunnel?local-proxy-mode={attacker}",
            RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", "aws.iot.securetunneling-3.0"), ("access-token", offenderToken), ("client-token", clientToken)));
        Assert.Equal(101, offender.StatusCode);
        Assert.Equal(RawFrame.Binary, (await offender.ReceiveFrameAsync())!.Opcode); // SERVICE_IDS

        // Frames the relay refuses from a client, hidden as the payload of a DATA frame it allows.
        byte[] smuggled =
        [
            .. FrameWriter.ToArray(TunnelMessages.ServiceIds(["EVIL"])),
            .. FrameWriter.ToArray(TunnelMessages.SessionReset()),
            .. FrameWriter.ToArray(TunnelMessages.StreamStart(1, "EVIL", 1)),
        ];
        var carrier = FrameWriter.ToArray(TunnelMessages.Data(1, null, 0, smuggled));
        int swallowed = carrier.Length - smuggled.Length;
        Assert.Equal(MessageType.Data, Decode(carrier).Type);

        // Half a DATA frame whose payload claims exactly the carrier's header: a reader that
        // continues it with the carrier takes the smuggled frames as frames of their own.
        byte[] header = [0x08, 0x01, 0x10, 0x01, 0x22, (byte)swallowed];
        var half = new byte[FrameReader.LengthPrefixSize + header.Length];
        BinaryPrimitives.WriteUInt16BigEndian(half, (ushort)(header.Length + swallowed));
        header.CopyTo(half, FrameReader.LengthPrefixSize);

        // The relay answers a ping only after it has dealt with the message before it: once the
        // pong is back, the half frame has been judged (and, before the fix, forwarded).
        await offender.SendFrameAsync(RawFrame.Binary, half);
        await offender.SendFrameAsync(RawFrame.Ping, "1"u8.ToArray());
        Assert.Equal(RawFrame.Pong, (await offender.ReceiveFrameAsync())!.Opcode);
        await offender.DisposeAsync(); // dropped without a close frame

        await using var again = new TunnelSocket(await gateway.ConnectAsync(attacker, offenderToken, clientToken));
        Assert.Equal(TunnelMessages.ServiceIds(["SSH"]), await again.ReceiveAsync());
        await again.SendRawAsync(carrier);
        var marker = FrameWriter.ToArray(TunnelMessages.Data(1, null, 0, "after the reconnect"u8));
        await again.SendRawAsync(marker);

        // The other end sees whole frames only: the carrier as sent, then the marker.
        Assert.Equal(Convert.ToHexString(carrier), Convert.ToHexString(await other.ReceiveMessageAsync()));
        Assert.Equal(Convert.ToHexString(marker), Convert.ToHexString(await other.ReceiveMessageAsync()));
    }

    private static Gateway.Engine.Protocol.Wire.Message Decode(byte[] frame)
    {
        var bytes = new System.Buffers.ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref bytes, out var message, out _));
        Assert.True(bytes.IsEmpty);
        return message!;
    }
}
