using System.Buffers;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Google.Protobuf;

namespace Gateway.Engine.Tests.Protocol;

public sealed class FrameWriterTests
{
    /// <summary>Reference situations (vectors.json) and the exact bytes the reference put on the wire.</summary>
    private static readonly Dictionary<string, (Func<Message> Build, string Hex)> ReferenceSituations = new()
    {
        ["SERVICE_IDS [SSH1]"] = (() => TunnelMessages.ServiceIds(["SSH1"]), "00080805320453534831"),
        ["SERVICE_IDS [SSH1, WEB]"] = (() => TunnelMessages.ServiceIds(["SSH1", "WEB"]), "000d08053204535348313203574542"),
        ["SERVICE_IDS []"] = (() => TunnelMessages.ServiceIds([]), "00020805"),
        ["STREAM_START V3"] = (() => TunnelMessages.StreamStart(1, "SSH1", 1), "000c080210012a04535348313801"),
        ["STREAM_START V3 unnamed"] = (() => TunnelMessages.StreamStart(1, null, 1), "0006080210013801"),
        ["STREAM_START V2"] = (() => TunnelMessages.StreamStart(1, "SSH1", 0), "000a080210012a0453534831"),
        ["STREAM_START V1"] = (() => TunnelMessages.StreamStart(1, null, 0), "000408021001"),
        ["DATA V3"] = (() => TunnelMessages.Data(1, "SSH1", 1, "hello"u8), "001308011001220568656c6c6f2a04535348313801"),
        ["DATA V3 unnamed"] = (() => TunnelMessages.Data(1, null, 1, "hello"u8), "000d08011001220568656c6c6f3801"),
        ["DATA V1"] = (() => TunnelMessages.Data(1, null, 0, "hello"u8), "000b08011001220568656c6c6f"),
        ["CONNECTION_START"] = (() => TunnelMessages.ConnectionStart(1, "WEB", 2), "000b080610012a035745423802"),
        ["CONNECTION_RESET"] = (() => TunnelMessages.ConnectionReset(2, "SSH1", 4), "000c080710022a04535348313804"),
        ["STREAM_RESET V2/V3"] = (() => TunnelMessages.StreamReset(1, "SSH1"), "000a080310012a0453534831"),
        ["STREAM_RESET V1"] = (() => TunnelMessages.StreamReset(2, null), "000408031002"),
        ["SESSION_RESET"] = (TunnelMessages.SessionReset, "00020804"),
    };

    [Fact]
    public void FieldsGoOutInAscendingOrderWhateverOrderTheyWereSet()
    {
        var message = new Message { ConnectionId = 3 };
        message.AvailableServiceIds.Add("B");
        message.ServiceId = "A";
        message.Payload = ByteString.CopyFromUtf8("p");
        message.Ignorable = true;
        message.StreamId = 2;
        message.Type = Message.Types.Type.Data;
        message.AvailableServiceIds.Add("C");

        byte[] frame = FrameWriter.ToArray(message);

        Assert.Equal([1, 2, 3, 4, 5, 6, 6, 7], WireScan.FrameFieldNumbers(frame));
        Assert.Equal("0014" + "0801" + "1002" + "1801" + "220170" + "2a0141" + "320142" + "320143" + "3803", Convert.ToHexString(frame).ToLowerInvariant());
    }

    [Fact]
    public void DefaultValuesAreLeftOffTheWire()
    {
        var message = new Message
        {
            Type = Message.Types.Type.Data,
            StreamId = 0,
            Ignorable = false,
            Payload = ByteString.Empty,
            ServiceId = string.Empty,
            ConnectionId = 0,
        };

        Assert.Equal(Convert.FromHexString("00020801"), FrameWriter.ToArray(message));
        Assert.Equal(Convert.FromHexString("00020804"), FrameWriter.ToArray(TunnelMessages.SessionReset()));
        Assert.Equal([1, 2, 5], WireScan.FrameFieldNumbers(FrameWriter.ToArray(TunnelMessages.StreamReset(1, "SSH1"))));
        Assert.Equal([1, 2], WireScan.FrameFieldNumbers(FrameWriter.ToArray(TunnelMessages.StreamReset(1, null))));
    }

    public static TheoryData<string> ReferenceSituationNames() => new(ReferenceSituations.Keys);

    [Theory]
    [MemberData(nameof(ReferenceSituationNames))]
    public void BuildersWriteTheReferenceBytes(string situation)
    {
        var (build, expectedHex) = ReferenceSituations[situation];

        Assert.Equal(expectedHex, Convert.ToHexString(FrameWriter.ToArray(build())).ToLowerInvariant());
    }

    [Fact]
    public void WriteToSpanReturnsTheFrameLengthAndLeavesTheRestAlone()
    {
        var message = TunnelMessages.StreamStart(1, "SSH1", 1);
        byte[] expected = FrameWriter.ToArray(message);
        byte[] destination = Enumerable.Repeat((byte)0xEE, expected.Length + 5).ToArray();

        int written = FrameWriter.Write(message, destination);

        Assert.Equal(expected.Length, written);
        Assert.Equal(expected.Length, FrameWriter.GetFrameLength(message));
        Assert.Equal(expected, destination[..written]);
        Assert.All(destination[written..], b => Assert.Equal(0xEE, b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(13)]
    public void WriteToTooSmallSpanThrowsWithoutWriting(int size)
    {
        var message = TunnelMessages.StreamStart(1, "SSH1", 1);
        Assert.Equal(14, FrameWriter.GetFrameLength(message));
        byte[] destination = Enumerable.Repeat((byte)0xEE, size).ToArray();

        var exception = Assert.Throws<ArgumentException>(() => FrameWriter.Write(message, destination.AsSpan()));

        Assert.Equal("destination", exception.ParamName);
        Assert.Contains("14", exception.Message, StringComparison.Ordinal);
        Assert.All(destination, b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void WriteToBufferWriterWritesTheSameBytesAsToArray()
    {
        Message[] messages =
        [
            TunnelMessages.ServiceIds(["SSH1", "WEB"]),
            TunnelMessages.StreamStart(1, "SSH1", 1),
            TunnelMessages.Data(1, "SSH1", 1, Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray()),
            TunnelMessages.SessionReset(),
        ];
        var writer = new ArrayBufferWriter<byte>(1);

        var lengths = messages.Select(message => FrameWriter.Write(message, writer)).ToArray();

        Assert.Equal(messages.Select(FrameWriter.GetFrameLength), lengths);
        Assert.Equal(messages.SelectMany(FrameWriter.ToArray).ToArray(), writer.WrittenSpan.ToArray());
        Assert.Equal(lengths.Sum(), writer.WrittenCount);
    }

    [Fact]
    public void MessageLargerThanTheLengthPrefixThrows()
    {
        // type (2) + payload tag (1) + 3-byte length + payload = 65536
        var message = TunnelMessages.Data(0, null, 0, new byte[65530]);
        Assert.Equal(65536, message.CalculateSize());
        var writer = new ArrayBufferWriter<byte>();

        Assert.Contains("65536", Assert.Throws<ArgumentException>(() => FrameWriter.ToArray(message)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => FrameWriter.GetFrameLength(message));
        Assert.Throws<ArgumentException>(() => FrameWriter.Write(message, new byte[70000].AsSpan()));
        Assert.Throws<ArgumentException>(() => FrameWriter.Write(message, writer));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void LargestMessageThatFitsIsWritten()
    {
        var message = TunnelMessages.Data(0, null, 0, new byte[65529]);

        byte[] frame = FrameWriter.ToArray(message);

        Assert.Equal(65537, frame.Length);
        Assert.Equal([0xff, 0xff], frame[..2]);
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => FrameWriter.ToArray(null!));
        Assert.Throws<ArgumentNullException>(() => FrameWriter.GetFrameLength(null!));
        Assert.Throws<ArgumentNullException>(() => FrameWriter.Write(null!, new byte[16].AsSpan()));
        Assert.Throws<ArgumentNullException>(() => FrameWriter.Write(TunnelMessages.SessionReset(), (IBufferWriter<byte>)null!));
    }

    [Fact]
    public void NegativeStreamIdIsWrittenAsTenByteVarint()
    {
        byte[] frame = FrameWriter.ToArray(TunnelMessages.StreamStart(-1, null, 0));

        Assert.Equal("000d" + "0802" + "10" + "ffffffffffffffffff01", Convert.ToHexString(frame).ToLowerInvariant());
    }
}
