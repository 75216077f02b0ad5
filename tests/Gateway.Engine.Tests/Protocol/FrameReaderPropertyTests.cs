using CsCheck;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Google.Protobuf;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>
/// Randomised checks of the reader against the way bytes really arrive: as arbitrary chunks of one
/// continuous stream. Bounded iteration counts keep them fast; CsCheck prints the seed of any
/// failing case (pass it as <c>seed:</c> to replay it).
/// </summary>
public sealed class FrameReaderPropertyTests
{
    private const long Iterations = 2000;

    private static readonly Gen<Message.Types.Type> GenType = Gen.Frequency(
        (12, Gen.Int[1, 7]),
        (1, Gen.Int[8, 1000]),
        (1, Gen.Int.Where(value => value != 0))).Select(value => (Message.Types.Type)value);

    private static readonly Gen<int> GenStreamId = Gen.Frequency((6, Gen.Int[0, 10]), (1, Gen.Int));

    private static readonly Gen<uint> GenConnectionId = Gen.Frequency((6, Gen.UInt[0, 10]), (1, Gen.UInt));

    private static readonly Gen<string> GenServiceId = Gen.Frequency(
        (3, Gen.Const(string.Empty)),
        (3, Gen.OneOfConst("SSH1", "WEB", "RDP")),
        (2, Gen.Char["abcXYZ019-_.éß€中"].Array[0, 16].Select(chars => new string(chars))));

    private static readonly Gen<byte[]> GenPayload = Gen.Frequency(
        (20, Gen.Byte.Array[0, 64]),
        (6, Gen.Byte.Array[64, 5000]),
        (1, Gen.Byte.Array[TunnelMessages.MaxPayloadSize - 64, TunnelMessages.MaxPayloadSize]));

    private static readonly Gen<Message> GenMessage = Gen.Select(
        GenType,
        GenStreamId,
        Gen.Bool,
        GenPayload,
        GenServiceId,
        GenServiceId.Array[0, 4],
        GenConnectionId,
        (type, streamId, ignorable, payload, serviceId, availableServiceIds, connectionId) =>
        {
            var message = new Message
            {
                Type = type,
                StreamId = streamId,
                Ignorable = ignorable,
                Payload = ByteString.CopyFrom(payload),
                ServiceId = serviceId,
                ConnectionId = connectionId,
            };
            message.AvailableServiceIds.AddRange(availableServiceIds);
            return message;
        });

    /// <summary>Up to 64 cut offsets (reduced modulo the stream length when used).</summary>
    private static readonly Gen<int[]> GenCuts = Gen.Int[0, int.MaxValue].Array[0, 64];

    private static readonly Gen<int> GenMaxBodyLength = Gen.Frequency(
        (3, Gen.Const(FrameReader.MaxFrameBodyLength)),
        (1, Gen.Int[0, 600]));

    /// <summary>Random bytes with no structure at all.</summary>
    private static readonly Gen<byte[]> GenRandomStream = Gen.Byte.Array[0, 600];

    /// <summary>Correct length prefixes around random bodies: exercises the protobuf decoding paths.</summary>
    private static readonly Gen<byte[]> GenFramedGarbage = Gen.Byte.Array[0, 48].Array[1, 8].Select(bodies =>
        bodies.SelectMany(body => (byte[])[(byte)(body.Length >> 8), (byte)body.Length, .. body]).ToArray());

    /// <summary>A valid stream with bytes flipped, inserted and deleted.</summary>
    private static readonly Gen<byte[]> GenMutatedStream = Gen.Select(
        GenMessage.Array[1, 6],
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 8],
        (messages, mutations) =>
        {
            var bytes = messages.SelectMany(FrameWriter.ToArray).ToList();
            foreach (var (operation, position, value) in mutations)
            {
                if (operation == 0 && bytes.Count > 0)
                {
                    bytes[position % bytes.Count] ^= (byte)(value | 1);
                }
                else if (operation == 1)
                {
                    bytes.Insert(position % (bytes.Count + 1), value);
                }
                else if (bytes.Count > 0)
                {
                    bytes.RemoveAt(position % bytes.Count);
                }
            }

            return bytes.ToArray();
        });

    [Fact]
    public void ValidMessagesComeOutInOrderHoweverTheStreamIsChunked()
    {
        Gen.Select(GenMessage.Array[1, 6], GenCuts).Sample(
            (messages, cuts) =>
            {
                byte[] stream = messages.SelectMany(FrameWriter.ToArray).ToArray();

                var chunked = ReceiveLoop.Run(ReceiveLoop.CutAt(stream, cuts));

                Assert.Null(chunked.Error);
                Assert.Null(chunked.EndError);
                Assert.Equal(0, chunked.RemainingBytes);
                Assert.Equal(messages, chunked.Messages);
            },
            iter: Iterations,
            print: input => $"{input.Item1.Length} messages, cuts [{string.Join(",", input.Item2)}]: {string.Join(" | ", input.Item1.Select(message => message.ToString()))}");
    }

    [Fact]
    public void ValidMessagesComeOutInOrderFromTinyChunks()
    {
        var smallMessage = Gen.Select(
            GenType,
            GenStreamId,
            GenServiceId,
            GenConnectionId,
            Gen.Byte.Array[0, 40],
            (type, streamId, serviceId, connectionId, payload) => new Message
            {
                Type = type,
                StreamId = streamId,
                ServiceId = serviceId,
                ConnectionId = connectionId,
                Payload = ByteString.CopyFrom(payload),
            });
        Gen.Select(smallMessage.Array[1, 5], Gen.Int[1, 3].Array[1, 16]).Sample(
            (messages, sizes) =>
            {
                byte[] stream = messages.SelectMany(FrameWriter.ToArray).ToArray();

                var chunked = ReceiveLoop.Run(ReceiveLoop.Chunk(stream, sizes));

                Assert.Null(chunked.Error);
                Assert.Null(chunked.EndError);
                Assert.Equal(messages, chunked.Messages);
            },
            iter: Iterations);
    }

    [Fact]
    public void RandomBytesNeverBreakTheReader() =>
        CheckArbitraryStream(GenRandomStream);

    [Fact]
    public void RandomBodiesWithCorrectPrefixesNeverBreakTheReader() =>
        CheckArbitraryStream(GenFramedGarbage);

    [Fact]
    public void MutatedValidStreamsNeverBreakTheReader() =>
        CheckArbitraryStream(GenMutatedStream);

    /// <summary>
    /// Whatever the bytes, the reader only returns Message, NeedMoreData or Error with a FrameError,
    /// never throws and always progresses (checked call by call in <see cref="ReceiveLoop"/>), and
    /// chunking changes nothing: the same messages from the same bytes, then the same error or the
    /// same leftover.
    /// </summary>
    private static void CheckArbitraryStream(Gen<byte[]> streams) =>
        Gen.Select(streams, GenCuts, GenMaxBodyLength).Sample(
            (stream, cuts, maxBodyLength) =>
            {
                var whole = ReceiveLoop.Run([stream], maxBodyLength);
                var chunked = ReceiveLoop.Run(ReceiveLoop.CutAt(stream, cuts), maxBodyLength);

                Assert.Equal(whole.Messages, chunked.Messages);
                Assert.Equal(whole.Error?.Kind, chunked.Error?.Kind);
                Assert.Equal(whole.Error?.Detail, chunked.Error?.Detail);
                Assert.Equal(whole.ConsumedBytes, chunked.ConsumedBytes);
                Assert.Equal(whole.EndError, chunked.EndError);
                if (whole.Error is null)
                {
                    Assert.Equal(stream.Length, whole.ConsumedBytes + whole.RemainingBytes);
                    Assert.Equal(whole.RemainingBytes, chunked.RemainingBytes);
                }
            },
            iter: Iterations,
            print: input => $"max {input.Item3}, cuts [{string.Join(",", input.Item2)}], stream {Convert.ToHexString(input.Item1)}");
}
