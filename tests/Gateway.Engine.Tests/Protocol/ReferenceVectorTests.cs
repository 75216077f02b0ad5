using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Google.Protobuf;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>
/// The frames captured from the reference C++ proxy (docs/protocol.md section 18): our reader must accept
/// them and decode the documented fields, our writer must produce the same bytes.
/// </summary>
public sealed class ReferenceVectorTests
{
    /// <summary>The captured hex of a large DATA frame stops after this many payload bytes.</summary>
    private const int VisiblePayloadBytes = 32;

    public static TheoryData<string> AllFrames()
    {
        var data = new TheoryData<string>();
        foreach (var frame in ReferenceVectors.Frames)
        {
            data.Add(frame.Id);
        }

        return data;
    }

    public static TheoryData<string> AllCoalescedMessages()
    {
        var data = new TheoryData<string>();
        foreach (var message in ReferenceVectors.CoalescedMessages)
        {
            data.Add(message.Id);
        }

        return data;
    }

    [Fact]
    public void VectorFileHoldsTheCapturedScenarios()
    {
        Assert.Equal(25, ReferenceVectors.ScenarioCount);
        Assert.True(ReferenceVectors.Frames.Count >= 100, $"only {ReferenceVectors.Frames.Count} frames in {ReferenceVectors.FilePath}");
        Assert.Equal(ReferenceVectors.Frames.Count, ReferenceVectors.Frames.Select(frame => frame.Id).Distinct().Count());
        Assert.Equal(4, ReferenceVectors.Frames.Count(frame => frame.Truncated));
        Assert.Equal(2, ReferenceVectors.CoalescedMessages.Count);
        Assert.All(ReferenceVectors.CoalescedMessages, message => Assert.Equal(2, message.Frames.Count));
        Assert.Contains(ReferenceVectors.Frames, frame => frame.Type == (Message.Types.Type)9 && frame.Ignorable == true);
    }

    [Theory]
    [MemberData(nameof(AllFrames))]
    public void CapturedFrameDecodesAndReencodesByteForByte(string id)
    {
        var frame = ReferenceVectors.Frame(id);
        if (frame.Truncated)
        {
            CheckTruncatedFrame(frame);
        }
        else
        {
            CheckFullFrame(frame);
        }
    }

    [Theory]
    [MemberData(nameof(AllCoalescedMessages))]
    public void CoalescedWebSocketMessageYieldsEveryFrameInOrder(string id)
    {
        var coalesced = ReferenceVectors.Coalesced(id);
        byte[] bytes = coalesced.Frames.SelectMany(frame => frame.Hex).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        foreach (var frame in coalesced.Frames)
        {
            long before = buffer.Length;
            Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out var error, FrameReader.MaxFrameBodyLength));
            Assert.Equal(default, error);
            Assert.Equal(before - frame.Hex.Length, buffer.Length);
            AssertDecodedFields(frame, message!);
            Assert.Equal(BuildFromDecoded(frame, message!.Payload.ToByteArray()), message);
        }

        Assert.Equal(FrameReadStatus.NeedMoreData, FrameReader.TryRead(ref buffer, out var none, out _));
        Assert.Null(none);
        Assert.True(FrameReader.TryCheckEndOfStream(buffer, out _));

        var outcome = ReceiveLoop.Run([bytes]);
        Assert.Null(outcome.Error);
        Assert.Null(outcome.EndError);
        Assert.Equal(coalesced.Frames.Select(frame => frame.Type), outcome.Messages.Select(message => message.Type));
    }

    [Fact]
    public void ProtocolDocStreamStartExampleIsWrittenAndReadExactly()
    {
        byte[] expected = Convert.FromHexString("000c080210012a04737368313801");

        Assert.Equal(expected, FrameWriter.ToArray(TunnelMessages.StreamStart(1, "ssh1", 1)));

        var buffer = new ReadOnlySequence<byte>(expected);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out _));
        Assert.True(buffer.IsEmpty);
        Assert.Equal(Message.Types.Type.StreamStart, message!.Type);
        Assert.Equal(1, message.StreamId);
        Assert.Equal("ssh1", message.ServiceId);
        Assert.Equal(1u, message.ConnectionId);
        Assert.Equal([1, 2, 5, 7], WireScan.FrameFieldNumbers(expected));
    }

    [Fact]
    public void UnnamedStreamStartLeavesServiceIdOffTheWire()
    {
        byte[] expected = Convert.FromHexString("0006080210013801");

        Assert.Equal(expected, FrameWriter.ToArray(TunnelMessages.StreamStart(1, null, 1)));
        Assert.Equal(expected, FrameWriter.ToArray(TunnelMessages.StreamStart(1, string.Empty, 1)));

        var buffer = new ReadOnlySequence<byte>(expected);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out _));
        Assert.Equal(Message.Types.Type.StreamStart, message!.Type);
        Assert.Equal(1, message.StreamId);
        Assert.Equal(string.Empty, message.ServiceId);
        Assert.Equal(1u, message.ConnectionId);
        Assert.Equal([1, 2, 7], WireScan.FrameFieldNumbers(expected));
    }

    private static void CheckFullFrame(VectorFrame frame)
    {
        Assert.Equal(frame.Hex.Length - FrameReader.LengthPrefixSize, BinaryPrimitives.ReadUInt16BigEndian(frame.Hex));
        Assert.Equal(frame.FieldOrder, WireScan.FrameFieldNumbers(frame.Hex));

        var buffer = new ReadOnlySequence<byte>(frame.Hex);
        var status = FrameReader.TryRead(ref buffer, out var message, out var error);
        Assert.True(status == FrameReadStatus.Message, $"{frame.Id} ({frame.What}): {status} {error}");
        Assert.True(buffer.IsEmpty);
        Assert.False(message!.HasUnknownFields);
        AssertDecodedFields(frame, message);

        // Re-encoding the decoded message, and encoding a message built from the documented
        // field values, both give the captured bytes.
        Assert.Equal(Convert.ToHexString(frame.Hex), Convert.ToHexString(FrameWriter.ToArray(message)));
        var rebuilt = BuildFromDecoded(frame, frame.PayloadAscii is null ? [] : Encoding.ASCII.GetBytes(frame.PayloadAscii));
        Assert.Equal(Convert.ToHexString(frame.Hex), Convert.ToHexString(FrameWriter.ToArray(rebuilt)));
        Assert.Equal(frame.Hex.Length, FrameWriter.GetFrameLength(rebuilt));
    }

    private static void CheckTruncatedFrame(VectorFrame frame)
    {
        Assert.NotNull(frame.FrameLength);
        Assert.NotNull(frame.Tail);
        Assert.NotNull(frame.Sha256);
        Assert.NotNull(frame.PayloadLength);
        int frameLength = frame.FrameLength.Value;
        int payloadLength = frame.PayloadLength.Value;
        Assert.True(payloadLength > VisiblePayloadBytes);

        // The prefix announces the full frame, not the captured part.
        Assert.Equal(frameLength - FrameReader.LengthPrefixSize, BinaryPrimitives.ReadUInt16BigEndian(frame.Hex));

        // hex = prefix, the fields before the payload, the payload's tag and length, 32 payload bytes.
        byte[] header = frame.Hex[..^VisiblePayloadBytes];
        byte[] body = header[FrameReader.LengthPrefixSize..];
        var input = new CodedInputStream(body);
        int payloadTagAt;
        while (true)
        {
            int position = (int)input.Position;
            uint tag = input.ReadTag();
            Assert.True(tag != 0, $"{frame.Id}: the captured header ends before the payload field");
            if (WireFormat.GetTagFieldNumber(tag) == Message.PayloadFieldNumber)
            {
                Assert.Equal(WireFormat.WireType.LengthDelimited, WireFormat.GetTagWireType(tag));
                Assert.Equal(payloadLength, input.ReadLength());
                Assert.True(input.IsAtEnd, $"{frame.Id}: bytes between the payload length and the payload");
                payloadTagAt = position;
                break;
            }

            input.SkipLastField();
        }

        Assert.Equal(frameLength, header.Length + payloadLength + frame.Tail.Length);

        // Fields before the payload are in the header, the ones after it in hexTail.
        var decoded = Message.Parser.ParseFrom(body.AsSpan(0, payloadTagAt));
        decoded.MergeFrom(Message.Parser.ParseFrom(frame.Tail));
        Assert.Equal(
            frame.FieldOrder,
            [.. WireScan.FieldNumbers(body.AsSpan(0, payloadTagAt)), Message.PayloadFieldNumber, .. WireScan.FieldNumbers(frame.Tail)]);

        // A message with the documented fields and a payload of that length has the same framing.
        byte[] reencoded = FrameWriter.ToArray(BuildFromDecoded(frame, new byte[payloadLength]));
        Assert.Equal(frameLength, reencoded.Length);
        Assert.Equal(Convert.ToHexString(header), Convert.ToHexString(reencoded.AsSpan(0, header.Length)));
        Assert.Equal(Convert.ToHexString(frame.Tail), Convert.ToHexString(reencoded.AsSpan(reencoded.Length - frame.Tail.Length)));

        // The captured payload counts 00 01 02 ...; rebuilt that way the frame matches the sha256,
        // so the whole frame can be decoded and re-encoded too.
        byte[] payload = Enumerable.Range(0, payloadLength).Select(i => (byte)i).ToArray();
        Assert.Equal(frame.Hex[^VisiblePayloadBytes..], payload[..VisiblePayloadBytes]);
        byte[] full = [.. header, .. payload, .. frame.Tail];
        Assert.Equal(frame.Sha256, Convert.ToHexStringLower(SHA256.HashData(full)));

        var buffer = new ReadOnlySequence<byte>(full);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out var error));
        Assert.Equal(default, error);
        Assert.True(buffer.IsEmpty);
        decoded.Payload = message!.Payload;
        Assert.Equal(decoded, message);
        AssertDecodedFields(frame, message);
        Assert.Equal(payload, message.Payload.ToByteArray());
        Assert.Equal(full, FrameWriter.ToArray(message));
        Assert.Equal(full, FrameWriter.ToArray(BuildFromDecoded(frame, payload)));
    }

    private static void AssertDecodedFields(VectorFrame frame, Message message)
    {
        Assert.Equal(frame.Type, message.Type);
        Assert.Equal(frame.StreamId ?? 0, message.StreamId);
        Assert.Equal(frame.Ignorable ?? false, message.Ignorable);
        Assert.Equal(frame.PayloadLength ?? 0, message.Payload.Length);
        Assert.Equal(frame.ServiceId ?? string.Empty, message.ServiceId);
        Assert.Equal(frame.AvailableServiceIds ?? [], message.AvailableServiceIds);
        Assert.Equal(frame.ConnectionId ?? 0u, message.ConnectionId);
        if (frame.PayloadAscii is not null)
        {
            Assert.Equal(frame.PayloadAscii, Encoding.ASCII.GetString(message.Payload.Span));
        }

        // null in vectors.json means "absent on the wire": it must agree with fieldOrder.
        AssertPresence(frame, Message.StreamIdFieldNumber, frame.StreamId is not null);
        AssertPresence(frame, Message.IgnorableFieldNumber, frame.Ignorable is not null);
        AssertPresence(frame, Message.PayloadFieldNumber, frame.PayloadLength is not null);
        AssertPresence(frame, Message.ServiceIdFieldNumber, frame.ServiceId is not null);
        AssertPresence(frame, Message.AvailableServiceIdsFieldNumber, frame.AvailableServiceIds is { Count: > 0 });
        AssertPresence(frame, Message.ConnectionIdFieldNumber, frame.ConnectionId is not null);
        Assert.Equal(Message.TypeFieldNumber, frame.FieldOrder[0]);
    }

    private static void AssertPresence(VectorFrame frame, int fieldNumber, bool present) =>
        Assert.True(
            frame.FieldOrder.Contains(fieldNumber) == present,
            $"{frame.Id}: field {fieldNumber} is {(present ? "decoded" : "null")} but fieldOrder is [{string.Join(",", frame.FieldOrder)}]");

    private static Message BuildFromDecoded(VectorFrame frame, byte[] payload)
    {
        var message = new Message
        {
            Type = frame.Type,
            StreamId = frame.StreamId ?? 0,
            Ignorable = frame.Ignorable ?? false,
            Payload = ByteString.CopyFrom(payload),
            ServiceId = frame.ServiceId ?? string.Empty,
            ConnectionId = frame.ConnectionId ?? 0,
        };
        message.AvailableServiceIds.AddRange(frame.AvailableServiceIds ?? []);
        return message;
    }
}
