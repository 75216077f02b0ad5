using System.Buffers;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Google.Protobuf;

namespace Gateway.Engine.Tests.Protocol;

public sealed class FrameReaderTests
{
    private static readonly Dictionary<string, Func<Message>> Samples = new()
    {
        ["DATA"] = () => TunnelMessages.Data(1, "SSH1", 1, "hello"u8),
        ["DATA V1 (no serviceId, no connectionId)"] = () => TunnelMessages.Data(7, null, 0, "hello"u8),
        ["DATA with 40-byte payload"] = () => TunnelMessages.Data(3, "WEB", 9, Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray()),
        ["STREAM_START"] = () => TunnelMessages.StreamStart(1, "SSH1", 1),
        ["STREAM_START unnamed"] = () => TunnelMessages.StreamStart(1, null, 1),
        ["STREAM_RESET"] = () => TunnelMessages.StreamReset(2, "SSH1"),
        ["SESSION_RESET"] = TunnelMessages.SessionReset,
        ["SERVICE_IDS"] = () => TunnelMessages.ServiceIds(["SSH1", "WEB"]),
        ["SERVICE_IDS empty"] = () => TunnelMessages.ServiceIds([]),
        ["CONNECTION_START"] = () => TunnelMessages.ConnectionStart(1, "SSH1", 2),
        ["CONNECTION_RESET"] = () => TunnelMessages.ConnectionReset(2, "SSH1", 4),
        ["type 9 ignorable"] = () => new Message { Type = (Message.Types.Type)9, StreamId = 1, Ignorable = true, ServiceId = "SSH1", ConnectionId = 1 },
        ["non-ASCII serviceId"] = () => TunnelMessages.StreamStart(5, "sérvice-€", 3),
        ["large ids"] = () => TunnelMessages.ConnectionReset(int.MaxValue, "S", uint.MaxValue),
    };

    public static TheoryData<string> SampleNames() => new(Samples.Keys);

    // The wire type as its number: the protobuf types are internal to the engine.
    public static TheoryData<int> AllTypes() => new(
        Enum.GetValues<Message.Types.Type>().Where(type => type != Message.Types.Type.Unknown).Select(type => (int)type));

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void EveryMessageTypeRoundTrips(int wireType)
    {
        var type = (Message.Types.Type)wireType;
        var original = new Message { Type = type, StreamId = 3, ServiceId = "SSH1", ConnectionId = 2 };
        if (type == Message.Types.Type.Data)
        {
            original.Payload = ByteString.CopyFromUtf8("payload");
        }

        if (type == Message.Types.Type.ServiceIds)
        {
            original.AvailableServiceIds.Add(["SSH1", "WEB"]);
        }

        var decoded = ReadSingle(FrameWriter.ToArray(original));

        Assert.Equal(original, decoded);
        Assert.Equal(type, decoded.Type);
        Assert.False(decoded.HasUnknownFields);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void SampleMessageRoundTrips(string name)
    {
        var original = Samples[name]();
        byte[] frame = FrameWriter.ToArray(original);

        var decoded = ReadSingle(frame);

        Assert.Equal(original, decoded);
        Assert.Equal(frame, FrameWriter.ToArray(decoded));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void FrameSplitAtEveryPositionAcrossTwoSegmentsDecodesIdentically(string name)
    {
        var original = Samples[name]();
        byte[] frame = FrameWriter.ToArray(original);

        for (int cut = 0; cut <= frame.Length; cut++)
        {
            var buffer = SequenceSegment.Split(frame, cut);
            Assert.Equal(frame.Length, buffer.Length);

            var status = FrameReader.TryRead(ref buffer, out var message, out var error);

            Assert.True(status == FrameReadStatus.Message, $"cut at {cut}: {status} {error}");
            Assert.Equal(original, message);
            Assert.True(buffer.IsEmpty, $"cut at {cut}: {buffer.Length} bytes left");
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void IncompleteFrameNeedsMoreDataAndConsumesNothingWhereverItIsSplit(string name)
    {
        byte[] frame = FrameWriter.ToArray(Samples[name]());

        for (int available = 0; available < frame.Length; available++)
        {
            byte[] part = frame[..available];
            for (int cut = 0; cut <= available; cut++)
            {
                var buffer = SequenceSegment.Split(part, cut);
                var before = buffer;

                var status = FrameReader.TryRead(ref buffer, out var message, out var error);

                Assert.True(status == FrameReadStatus.NeedMoreData, $"{available} of {frame.Length} bytes, cut at {cut}: {status} {error}");
                Assert.Null(message);
                Assert.Equal(default, error);
                Assert.Equal(before.Start, buffer.Start);
                Assert.Equal(before.End, buffer.End);
            }
        }
    }

    [Fact]
    public void FrameInOneByteSegmentsDecodes()
    {
        var original = Samples["DATA with 40-byte payload"]();
        byte[] frame = FrameWriter.ToArray(original);
        var buffer = SequenceSegment.Create(frame.Select(b => new[] { b }).ToArray());

        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out _));
        Assert.Equal(original, message);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TwoFramesInOneBufferAreReadInOrder()
    {
        var first = TunnelMessages.StreamStart(1, "SSH1", 1);
        var second = TunnelMessages.Data(1, "SSH1", 1, "hello"u8);
        byte[] firstFrame = FrameWriter.ToArray(first);
        byte[] secondFrame = FrameWriter.ToArray(second);
        var buffer = new ReadOnlySequence<byte>([.. firstFrame, .. secondFrame]);

        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var one, out _));
        Assert.Equal(first, one);
        Assert.Equal(secondFrame.Length, buffer.Length);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var two, out _));
        Assert.Equal(second, two);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(FrameReadStatus.NeedMoreData, FrameReader.TryRead(ref buffer, out var none, out _));
        Assert.Null(none);
        Assert.True(FrameReader.TryCheckEndOfStream(buffer, out _));
    }

    [Fact]
    public void ThreeFramesInOneBufferAreReadInOrderAndAPartialFourthWaits()
    {
        Message[] messages =
        [
            TunnelMessages.ServiceIds(["SSH1"]),
            TunnelMessages.ConnectionStart(1, "SSH1", 2),
            TunnelMessages.SessionReset(),
        ];
        byte[] fourth = FrameWriter.ToArray(TunnelMessages.ConnectionReset(1, "SSH1", 2));
        byte[] bytes = [.. messages.SelectMany(FrameWriter.ToArray), .. fourth[..5]];
        var buffer = new ReadOnlySequence<byte>(bytes);

        foreach (var expected in messages)
        {
            Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out _));
            Assert.Equal(expected, message);
        }

        Assert.Equal(5, buffer.Length);
        Assert.Equal(FrameReadStatus.NeedMoreData, FrameReader.TryRead(ref buffer, out _, out _));
        Assert.Equal(5, buffer.Length);
        Assert.False(FrameReader.TryCheckEndOfStream(buffer, out var error));
        Assert.Equal(FrameErrorKind.TrailingBytes, error.Kind);
    }

    [Fact]
    public void LengthPrefixStraddlingSegmentsIsRead()
    {
        var first = TunnelMessages.Data(1, "SSH1", 1, "hello"u8);
        var second = TunnelMessages.ConnectionReset(1, "SSH1", 1);
        byte[] firstFrame = FrameWriter.ToArray(first);
        byte[] secondFrame = FrameWriter.ToArray(second);

        // Segment 1 ends with the first byte of frame 2's prefix; segment 2 has the second byte only.
        var buffer = SequenceSegment.Create([.. firstFrame, secondFrame[0]], [secondFrame[1]], secondFrame[2..]);

        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var one, out _));
        Assert.Equal(first, one);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var two, out _));
        Assert.Equal(second, two);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void EmptySegmentsAreSkipped()
    {
        var original = TunnelMessages.StreamStart(1, "SSH1", 1);
        byte[] frame = FrameWriter.ToArray(original);
        var buffer = SequenceSegment.Create([], frame[..1], [], frame[1..3], [], frame[3..], []);

        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out _));
        Assert.Equal(original, message);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void MaximumDataPayloadRoundTrips()
    {
        byte[] payload = Enumerable.Range(0, TunnelMessages.MaxPayloadSize).Select(i => (byte)(i * 31)).ToArray();
        var original = TunnelMessages.Data(1, "SSH1", 1, payload);
        byte[] frame = FrameWriter.ToArray(original);
        Assert.Equal(64512, TunnelMessages.MaxPayloadSize);
        Assert.Equal(64530, frame.Length);

        var decoded = ReadSingle(frame);
        Assert.Equal(original, decoded);
        Assert.Equal(payload, decoded.Payload.ToByteArray());

        // The same frame arriving as 4096-byte WebSocket frames, like the reference sends it.
        var chunked = ReceiveLoop.Run(ReceiveLoop.Chunk(frame, [4096]));
        Assert.Null(chunked.Error);
        Assert.Null(chunked.EndError);
        Assert.Equal([original], chunked.Messages);
    }

    [Fact]
    public void LargestPossibleBodyIsAcceptedByDefault()
    {
        // type (2) + payload tag (1) + 3-byte length + payload = 65535
        var original = TunnelMessages.Data(0, null, 0, new byte[65529]);
        byte[] frame = FrameWriter.ToArray(original);
        Assert.Equal(FrameReader.MaxFrameBodyLength + 2, frame.Length);
        Assert.Equal(0xff, frame[0]);
        Assert.Equal(0xff, frame[1]);

        Assert.Equal(original, ReadSingle(frame));
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out _, out _, maxBodyLength: 65535));
    }

    [Fact]
    public void BodyExactlyAtTheLimitIsAccepted()
    {
        byte[] frame = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH1", 1));
        int bodyLength = frame.Length - 2;
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out _, out _, maxBodyLength: bodyLength));
    }

    [Theory]
    [InlineData("0000")]
    [InlineData("00000802")]
    [InlineData("0000000408021001")]
    public void ZeroLengthPrefixIsAnError(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(hex));
        var before = buffer;

        var status = FrameReader.TryRead(ref buffer, out var message, out var error);

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameErrorKind.ZeroLength, error.Kind);
        Assert.Contains("0", error.Detail, StringComparison.Ordinal);
        Assert.Null(message);
        Assert.Equal(before.Start, buffer.Start);
        Assert.Equal(before.Length, buffer.Length);
    }

    [Theory]
    [InlineData(101, 100)]
    [InlineData(65535, 64514)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    public void LengthOverTheLimitIsReportedFromThePrefixAlone(int length, int limit)
    {
        byte[] prefix = [(byte)(length >> 8), (byte)length];
        var buffer = new ReadOnlySequence<byte>(prefix);

        var status = FrameReader.TryRead(ref buffer, out var message, out var error, limit);

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameErrorKind.TooLong, error.Kind);
        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Detail, StringComparison.Ordinal);
        Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Detail, StringComparison.Ordinal);
        Assert.Null(message);
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void LengthOverTheLimitIsReportedWhenThePrefixStraddlesSegments()
    {
        var buffer = SequenceSegment.Create([0x01], [0x00]);

        Assert.Equal(FrameReadStatus.Error, FrameReader.TryRead(ref buffer, out _, out var error, maxBodyLength: 255));
        Assert.Equal(FrameErrorKind.TooLong, error.Kind);
        Assert.Contains("256", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthAtTheLimitWithOnlyThePrefixNeedsMoreData()
    {
        var buffer = new ReadOnlySequence<byte>([0x00, 0x64]);

        Assert.Equal(FrameReadStatus.NeedMoreData, FrameReader.TryRead(ref buffer, out _, out var error, maxBodyLength: 100));
        Assert.Equal(default, error);
        Assert.Equal(2, buffer.Length);
    }

    [Theory]
    [InlineData("0003ffffff", "bad tag and truncated varint")]
    [InlineData("00020880", "truncated varint")]
    [InlineData("0005080122050a", "payload longer than the frame")]
    [InlineData("00020001", "field number 0")]
    [InlineData("00030f0102", "wire type 7")]
    [InlineData("0003080114", "end group without a start group")]
    [InlineData("000e0801108080808080808080808001", "varint longer than 10 bytes")]
    [InlineData("00052a03c328a1", "serviceId is not UTF-8")]
    [InlineData("0005320280ff0a", "availableServiceIds entry is not UTF-8")]
    public void GarbageBodyIsMalformed(string hex, string why)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var buffer = new ReadOnlySequence<byte>(bytes);

        var status = FrameReader.TryRead(ref buffer, out var message, out var error);

        Assert.True(status == FrameReadStatus.Error, $"{why}: {status}");
        Assert.Equal(FrameErrorKind.Malformed, error.Kind);
        Assert.Contains((bytes.Length - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Detail, StringComparison.Ordinal);
        Assert.Null(message);
        Assert.Equal(bytes.Length, buffer.Length);
    }

    [Theory]
    [InlineData("00021001", "streamId only")]
    [InlineData("00020800", "explicit type 0")]
    [InlineData("00091001220568656c6c6f", "DATA fields without a type")]
    [InlineData("0006080010014801", "type 0 with an unknown field")]
    public void FrameWithoutTypeIsMissingType(string hex, string why)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var buffer = new ReadOnlySequence<byte>(bytes);

        var status = FrameReader.TryRead(ref buffer, out var message, out var error);

        Assert.True(status == FrameReadStatus.Error, $"{why}: {status}");
        Assert.Equal(FrameErrorKind.MissingType, error.Kind);
        Assert.Contains((bytes.Length - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Detail, StringComparison.Ordinal);
        Assert.Null(message);
        Assert.Equal(bytes.Length, buffer.Length);
    }

    [Fact]
    public void ErrorInASecondFrameLeavesItUnconsumedAfterTheFirstIsRead()
    {
        var first = TunnelMessages.SessionReset();
        var buffer = new ReadOnlySequence<byte>([.. FrameWriter.ToArray(first), 0x00, 0x02, 0x10, 0x01]);

        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out var message, out _));
        Assert.Equal(first, message);
        Assert.Equal(FrameReadStatus.Error, FrameReader.TryRead(ref buffer, out _, out var error));
        Assert.Equal(FrameErrorKind.MissingType, error.Kind);
        Assert.Equal(4, buffer.Length);
    }

    [Theory]
    [InlineData("00", "1 byte")]
    [InlineData("000c", "0 of 12")]
    [InlineData("000c0802", "2 of 12")]
    [InlineData("000c080210012a045353483138", "11 of 12")]
    public void LeftoverBytesAtEndOfStreamAreTrailingBytes(string hex, string expectedInDetail)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(hex));
        Assert.Equal(FrameReadStatus.NeedMoreData, FrameReader.TryRead(ref buffer, out _, out _));

        bool clean = FrameReader.TryCheckEndOfStream(buffer, out var error);

        Assert.False(clean);
        Assert.Equal(FrameErrorKind.TrailingBytes, error.Kind);
        Assert.Contains(expectedInDetail, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void LeftoverPrefixStraddlingSegmentsIsTrailingBytes()
    {
        var buffer = SequenceSegment.Create([0x00], [0x0c, 0x08]);

        Assert.False(FrameReader.TryCheckEndOfStream(buffer, out var error));
        Assert.Equal(FrameErrorKind.TrailingBytes, error.Kind);
        Assert.Contains("1 of 12", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyRemainderAtEndOfStreamIsClean()
    {
        Assert.True(FrameReader.TryCheckEndOfStream(ReadOnlySequence<byte>.Empty, out var error));
        Assert.Equal(default, error);

        var buffer = new ReadOnlySequence<byte>(FrameWriter.ToArray(TunnelMessages.SessionReset()));
        Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref buffer, out _, out _));
        Assert.True(FrameReader.TryCheckEndOfStream(buffer, out error));
        Assert.Equal(default, error);
    }

    [Theory]
    [InlineData("000408024801", "field 9 varint")]
    [InlineData("000608027a026869", "field 15 length-delimited")]
    [InlineData("0009080210014d01020304", "field 9 fixed32")]
    [InlineData("0006080280800101", "field 2048 varint")]
    public void UnknownFieldDecodesAndIsFlagged(string hex, string why)
    {
        byte[] bytes = Convert.FromHexString(hex);

        var message = ReadSingle(bytes);

        Assert.True(message.HasUnknownFields, why);
        Assert.Equal(Message.Types.Type.StreamStart, message.Type);

        // Unknown fields survive a re-encode (a relay that re-serialises would pass them on).
        Assert.Equal(bytes, FrameWriter.ToArray(message));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void KnownFieldsOnlyAreNotFlagged(string name)
    {
        Assert.False(ReadSingle(FrameWriter.ToArray(Samples[name]())).HasUnknownFields);
    }

    [Fact]
    public void UnknownEnumValueIsAMessageNotMissingType()
    {
        var message = ReadSingle(Convert.FromHexString("000e0809100118012a04535348313801"));

        Assert.Equal(9, (int)message.Type);
        Assert.True(message.Ignorable);
        Assert.False(message.HasUnknownFields);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void NegativeStreamIdUsesTenByteVarintAndRoundTrips(int streamId)
    {
        var original = TunnelMessages.StreamReset(streamId, "SSH1");
        byte[] frame = FrameWriter.ToArray(original);

        // type (2) + streamId tag and 10-byte varint (11) + serviceId (6)
        Assert.Equal(2 + 2 + 11 + 6, frame.Length);
        Assert.Equal(0x10, frame[4]);
        Assert.Equal(0x01, frame[14]);
        Assert.Equal(original, ReadSingle(frame));
        Assert.Equal(streamId, ReadSingle(frame).StreamId);
    }

    private static Message ReadSingle(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        var status = FrameReader.TryRead(ref buffer, out var message, out var error);
        Assert.True(status == FrameReadStatus.Message, $"{Convert.ToHexString(frame)}: {status} {error}");
        Assert.Equal(default, error);
        Assert.True(buffer.IsEmpty, $"{buffer.Length} bytes left after the frame");
        Assert.True(FrameReader.TryCheckEndOfStream(buffer, out _));
        return message!;
    }
}
