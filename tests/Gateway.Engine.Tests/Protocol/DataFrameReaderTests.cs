using System.Buffers;
using CsCheck;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Google.Protobuf;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>
/// The in-place DATA reader (the data path's fast path) must agree with the protobuf reader on
/// every frame it accepts, and leave every other frame to it untouched.
/// </summary>
public sealed class DataFrameReaderTests
{
    private static readonly Gen<byte[]> GenBody = Gen.Frequency(
        (4, Gen.Select(Gen.Int[-2, 3], Gen.Int, Gen.OneOfConst("", "SSH", "WEB", "é€"), Gen.UInt, Gen.Byte.Array[0, 300], Gen.Bool)
            .Select((type, stream, service, connection, payload, ignorable) => new Message
            {
                Type = (Message.Types.Type)type,
                StreamId = stream,
                ServiceId = service,
                ConnectionId = connection,
                Payload = ByteString.CopyFrom(payload),
                Ignorable = ignorable,
            }.ToByteArray())),
        (1, Gen.Byte.Array[1, 40]));

    [Fact]
    public void AgreesWithTheProtobufReaderOnAnyBodyInAnySegmentation()
    {
        Gen.Select(GenBody, Gen.Int[1, 9]).Sample((body, chunk) =>
        {
            var frame = new byte[2 + body.Length];
            frame[0] = (byte)(body.Length >> 8);
            frame[1] = (byte)body.Length;
            body.CopyTo(frame, 2);
            var cuts = Enumerable.Range(1, frame.Length - 1).Where(i => i % chunk == 0).ToArray();
            var fast = SequenceSegment.Split(frame, cuts);
            var slow = fast;
            if (FrameReader.TryReadData(ref fast, out var data))
            {
                Assert.Equal(FrameReadStatus.Message, FrameReader.TryRead(ref slow, out var message, out _));
                Assert.Equal(Message.Types.Type.Data, message!.Type);
                Assert.Equal(message.StreamId, data.StreamId);
                Assert.Equal(message.ConnectionId, data.ConnectionId);
                Assert.Equal(message.ServiceId, System.Text.Encoding.UTF8.GetString(data.ServiceIdUtf8.ToArray()));
                Assert.Equal(message.Payload.ToByteArray(), data.Payload.ToArray());
                Assert.True(fast.IsEmpty);
                Assert.True(slow.IsEmpty);
            }
            else
            {
                Assert.Equal(frame.Length, fast.Length);
                bool isPlainData = FrameReader.TryRead(ref slow, out var message, out _) == FrameReadStatus.Message
                    && message!.Type == Message.Types.Type.Data && !message.HasUnknownFields && Parses(body);
                Assert.False(isPlainData && IsCanonical(message!, body), "a canonical DATA frame must take the fast path");
            }
        }, iter: 3000);
    }

    [Fact]
    public void ReadsADataFrameWithoutCopyingThePayload()
    {
        var bytes = FrameWriter.ToArray(new Message { Type = Message.Types.Type.Data, StreamId = 7, ServiceId = "SSH", ConnectionId = 3, Payload = ByteString.CopyFrom(new byte[1000]) });
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(FrameReader.TryReadData(ref buffer, out var data));

        Assert.Equal(7, data.StreamId);
        Assert.Equal(3u, data.ConnectionId);
        Assert.True(data.ServiceIdEquals("SSH"u8));
        Assert.False(data.ServiceIdEquals("SSH1"u8));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data.Payload.First, out var segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(1000, data.Payload.Length);
    }

    [Theory]
    [InlineData("stream start")]
    [InlineData("unknown field")]
    [InlineData("bad utf8")]
    [InlineData("bad utf8 then good")]
    [InlineData("incomplete")]
    public void LeavesOtherFramesToTheProtobufReader(string kind)
    {
        var message = new Message { Type = Message.Types.Type.Data, StreamId = 1, ServiceId = "SSH", Payload = ByteString.CopyFromUtf8("hi") };
        byte[] body = message.ToByteArray();
        body = kind switch
        {
            "stream start" => new Message { Type = Message.Types.Type.StreamStart, StreamId = 1, ServiceId = "SSH" }.ToByteArray(),
            "unknown field" => [.. body, 0x78, 0x01], // field 15, varint
            "bad utf8" => [0x08, 0x01, 0x10, 0x01, 0x2A, 0x02, 0xC3, 0x28],
            "bad utf8 then good" => [0x08, 0x01, 0x10, 0x01, 0x2A, 0x02, 0xC3, 0x28, 0x2A, 0x03, 0x53, 0x53, 0x48],
            _ => body,
        };
        var frame = new byte[2 + body.Length];
        frame[1] = (byte)body.Length;
        body.CopyTo(frame, 2);
        var buffer = new ReadOnlySequence<byte>(kind == "incomplete" ? frame[..^1] : frame);
        long before = buffer.Length;

        Assert.False(FrameReader.TryReadData(ref buffer, out _));

        Assert.Equal(before, buffer.Length);
    }

    private static bool Parses(byte[] body)
    {
        try
        {
            Message.Parser.ParseFrom(body);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    // Bytes Google.Protobuf itself would write for the message: the encoding the fast path must take.
    private static bool IsCanonical(Message message, byte[] body) =>
        System.Text.Unicode.Utf8.IsValid(System.Text.Encoding.UTF8.GetBytes(message.ServiceId)) && message.ToByteArray().AsSpan().SequenceEqual(body);
}
