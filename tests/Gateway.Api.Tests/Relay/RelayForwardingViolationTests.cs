using System.Buffers.Binary;
using System.Net.WebSockets;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// docs/protocol.md section 16 item 7 and section 4: a violation closes the offending socket with the
/// matching close code and a reason; the other end stays connected and keeps relaying.
/// </summary>
public sealed class RelayForwardingViolationTests
{
    private static readonly Dictionary<string, Violation> Violations = new(StringComparer.Ordinal)
    {
        ["SERVICE_IDS from the source"] = Frame(Offender.Source, TunnelMessages.ServiceIds(["SSH"]), "SERVICE_IDS"),
        ["SERVICE_IDS from the destination"] = Frame(Offender.Destination, TunnelMessages.ServiceIds(["SSH"]), "SERVICE_IDS"),
        ["SESSION_RESET from the source"] = Frame(Offender.Source, TunnelMessages.SessionReset(), "SESSION_RESET"),
        ["SESSION_RESET from the destination"] = Frame(Offender.Destination, TunnelMessages.SessionReset(), "SESSION_RESET"),
        ["STREAM_START from the destination"] = Frame(Offender.Destination, TunnelMessages.StreamStart(1, "SSH", 1), "STREAM_START"),
        ["CONNECTION_START from the destination"] = Frame(Offender.Destination, TunnelMessages.ConnectionStart(1, "SSH", 2), "CONNECTION_START"),
        ["DATA with streamId 0"] = Frame(Offender.Source, TunnelMessages.Data(0, "SSH", 1, "x"u8), "streamId 0"),
        ["STREAM_RESET with streamId 0"] = Frame(Offender.Destination, TunnelMessages.StreamReset(0, "SSH"), "streamId 0"),
        ["DATA payload of 64513 bytes"] = Frame(Offender.Source, TunnelMessages.Data(1, "SSH", 1, new byte[TunnelMessages.MaxPayloadSize + 1]), "64513"),
        ["serviceId not in the tunnel"] = Frame(Offender.Source, TunnelMessages.StreamStart(1, "RDP", 1), "RDP"),
        ["serviceId present then absent"] = new(
            Offender.Source,
            [TunnelMessages.StreamStart(1, "SSH", 1)],
            [FrameWriter.ToArray(TunnelMessages.Data(1, null, 1, "x"u8))],
            WebSocketMessageType.Binary,
            WebSocketCloseStatus.PolicyViolation,
            "serviceId",
            TunnelMessages.StreamReset(1, "SSH")),
        ["serviceId absent then present"] = new(
            Offender.Source,
            [TunnelMessages.StreamStart(1, null, 1)],
            [FrameWriter.ToArray(TunnelMessages.Data(1, "SSH", 1, "x"u8))],
            WebSocketMessageType.Binary,
            WebSocketCloseStatus.PolicyViolation,
            "serviceId",
            TunnelMessages.StreamReset(1, null)),
        ["unknown protobuf field"] = Bytes(Offender.Destination, WithUnknownField(TunnelMessages.Data(1, "SSH", 1, "x"u8)), WebSocketCloseStatus.PolicyViolation, "fields"),
        ["truncated protobuf"] = Bytes(Offender.Source, [0x00, 0x01, 0x08], WebSocketCloseStatus.PolicyViolation, "malformed"),
        ["protobuf length running past the frame"] = Bytes(Offender.Source, [0x00, 0x04, 0x08, 0x01, 0x22, 0x7F], WebSocketCloseStatus.PolicyViolation, "malformed"),
        ["zero-length frame"] = Bytes(Offender.Source, [0x00, 0x00], WebSocketCloseStatus.PolicyViolation, "malformed"),
        ["frame without a type"] = Bytes(Offender.Destination, [0x00, 0x02, 0x10, 0x01], WebSocketCloseStatus.PolicyViolation, "malformed"),
        ["bad frame after a good one in the same message"] = Bytes(
            Offender.Source,
            [.. FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1)), .. FrameWriter.ToArray(TunnelMessages.SessionReset())],
            WebSocketCloseStatus.PolicyViolation,
            "SESSION_RESET"),
        ["text frame"] = new(
            Offender.Source,
            [],
            ["hello"u8.ToArray()],
            WebSocketMessageType.Text,
            WebSocketCloseStatus.InvalidMessageType,
            "text",
            null),
        ["empty text message"] = new(
            Offender.Source,
            [],
            [[]],
            WebSocketMessageType.Text,
            WebSocketCloseStatus.InvalidMessageType,
            "text",
            null),
        ["DATA whose first of two serviceIds is not UTF-8"] = Bytes(
            Offender.Source,
            [0x00, 0x12, 0x08, 0x01, 0x10, 0x01, 0x2A, 0x02, 0xC3, 0x28, 0x2A, 0x03, (byte)'S', (byte)'S', (byte)'H', 0x22, 0x01, (byte)'x', 0x38, 0x01],
            WebSocketCloseStatus.PolicyViolation,
            "malformed"),
        ["message of 131077 bytes"] = Bytes(Offender.Destination, new byte[131077], WebSocketCloseStatus.MessageTooBig, "131076"),
        ["message of 131077 bytes in 4096-byte fragments"] = new(
            Offender.Source,
            [],
            [.. new byte[131077].Chunk(4096)],
            WebSocketMessageType.Binary,
            WebSocketCloseStatus.MessageTooBig,
            "131076",
            null),
    };

    private enum Offender
    {
        Source,
        Destination,
    }

    public static TheoryData<string> ViolationNames() => [.. Violations.Keys];

    [Theory]
    [MemberData(nameof(ViolationNames))]
    public async Task ViolationClosesOnlyTheOffendingSocketWithItsCodeAndAReason(string violationName)
    {
        var violation = Violations[violationName];
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH", "WEB");
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        string destinationClientToken = RelayForwardingSupport.NewClientToken();
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken, destinationClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;
        bool offenderIsSource = violation.Offender == Offender.Source;
        var offender = offenderIsSource ? source : destination;
        var other = offenderIsSource ? destination : source;

        foreach (var frame in violation.Setup)
        {
            await offender.SendAsync(frame);
            Assert.Equal(frame, await other.ReceiveAsync());
        }

        for (int i = 0; i < violation.Fragments.Length; i++)
        {
            await offender.SendRawAsync(violation.Fragments[i], endOfMessage: i == violation.Fragments.Length - 1, violation.Type);
        }

        var (status, reason) = await offender.ReceiveCloseAsync();
        AssertClosedWith(violation.Status, status);
        Assert.False(string.IsNullOrWhiteSpace(reason), "the close frame carries no reason");
        Assert.Contains(violation.ReasonContains, reason, StringComparison.OrdinalIgnoreCase);

        // The other end: told about the stream that died with the offender, otherwise untouched.
        if (violation.ResetAfter is { } reset)
        {
            Assert.Equal(reset, await other.ReceiveAsync());
        }

        Assert.Equal(WebSocketState.Open, other.Socket.State);

        // ... and usable: the offender reconnects (client token) and traffic flows both ways.
        await using var again = new TunnelSocket(await gateway.ConnectAsync(
            offenderIsSource ? "source" : "destination",
            offenderIsSource ? tunnel.SourceAccessToken : tunnel.DestinationAccessToken,
            offenderIsSource ? sourceClientToken : destinationClientToken));
        Assert.Equal(TunnelMessages.ServiceIds(["SSH", "WEB"]), await again.ReceiveAsync());
        var newSource = offenderIsSource ? again : source;
        var newDestination = offenderIsSource ? destination : again;

        var start = TunnelMessages.StreamStart(2, "WEB", 1);
        await newSource.SendAsync(start);
        Assert.Equal(start, await newDestination.ReceiveAsync());
        var data = TunnelMessages.Data(2, "WEB", 1, "still relaying"u8);
        await newDestination.SendAsync(data);
        Assert.Equal(data, await newSource.ReceiveAsync());
    }

    [Fact]
    public async Task ViolationDetectedInAFrameStraddlingTwoMessagesClosesTheSocketAndNoneOfItIsForwarded()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var bad = FrameWriter.ToArray(TunnelMessages.ServiceIds(["SSH"]));
        await source.SendRawAsync(bad[..3]);
        await source.SendRawAsync(bad[3..]);

        var (status, reason) = await source.ReceiveCloseAsync();
        AssertClosedWith(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Contains("SERVICE_IDS", reason, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, destination.Socket.State);

        // No byte of the refused frame reached the destination: its next message is the next
        // frame of a new source connection.
        await using var again = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(TunnelMessages.ServiceIds(["SSH"]), await again.ReceiveAsync());
        var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
        await again.SendRawAsync(start);
        Assert.Equal(start, await destination.ReceiveMessageAsync());
    }

    // ReceiveCloseAsync gives no status when the connection ended without a close frame.
    private static void AssertClosedWith(WebSocketCloseStatus expected, WebSocketCloseStatus? actual) =>
        Assert.True(
            actual == expected,
            actual is null
                ? $"expected a close frame with {expected} ({(int)expected}), but the connection was dropped without one (reset / end of stream)"
                : $"expected close status {expected} ({(int)expected}), got {actual} ({(int)actual})");

    private static Violation Frame(Offender offender, Message message, string reasonContains) =>
        Bytes(offender, FrameWriter.ToArray(message), WebSocketCloseStatus.PolicyViolation, reasonContains);

    private static Violation Bytes(Offender offender, byte[] bytes, WebSocketCloseStatus status, string reasonContains) =>
        new(offender, [], [bytes], WebSocketMessageType.Binary, status, reasonContains, null);

    // A valid frame with field 9 (varint 1) appended to its body and the length prefix fixed.
    private static byte[] WithUnknownField(Message message)
    {
        byte[] frame = [.. FrameWriter.ToArray(message), 0x48, 0x01];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(frame.Length - FrameReader.LengthPrefixSize));
        return frame;
    }

    private sealed record Violation(
        Offender Offender,
        Message[] Setup,
        byte[][] Fragments,
        WebSocketMessageType Type,
        WebSocketCloseStatus Status,
        string ReasonContains,
        Message? ResetAfter);
}
