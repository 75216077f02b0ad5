using System.Buffers;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>
/// What a receive loop saw: the messages in order, how many bytes they took, then either an error
/// (the loop stops) or the end of the stream, clean or with leftover bytes.
/// </summary>
internal sealed record ReceiveOutcome(
    IReadOnlyList<Message> Messages,
    long ConsumedBytes,
    FrameError? Error,
    long RemainingBytes,
    FrameError? EndError);

/// <summary>
/// Drives <see cref="FrameReader"/> the way a WebSocket receive loop over a pipe does: every chunk is
/// appended as a new segment after the bytes not consumed yet, frames are taken until the reader
/// needs more data, and the stream end is checked at the end. Every call is checked against the
/// reader's contract (no exception, progress on Message, nothing consumed otherwise, errors carry
/// details). An error ends the loop, as it ends the connection.
/// </summary>
internal static class ReceiveLoop
{
    public static ReceiveOutcome Run(IEnumerable<byte[]> chunks, int maxBodyLength = FrameReader.MaxFrameBodyLength)
    {
        var messages = new List<Message>();
        var buffer = ReadOnlySequence<byte>.Empty;
        SequenceSegment? last = null;
        long bytesReceived = 0;
        long chunksReceived = 0;
        long calls = 0;
        foreach (byte[] chunk in chunks)
        {
            bytesReceived += chunk.Length;
            chunksReceived++;
            if (last is null)
            {
                last = SequenceSegment.First(chunk);
                buffer = new ReadOnlySequence<byte>(last, 0, last, last.Memory.Length);
            }
            else
            {
                var start = buffer.Start;
                last = last.Append(chunk);
                buffer = new ReadOnlySequence<byte>((SequenceSegment)start.GetObject()!, start.GetInteger(), last, last.Memory.Length);
            }

            while (true)
            {
                calls++;
                Assert.True(
                    calls <= bytesReceived + chunksReceived,
                    $"reader made no progress: {calls} calls for {bytesReceived} bytes in {chunksReceived} chunks");
                var before = buffer;
                var status = FrameReader.TryRead(ref buffer, out var message, out var error, maxBodyLength);
                if (status == FrameReadStatus.Message)
                {
                    Assert.NotNull(message);
                    Assert.NotEqual(Message.Types.Type.Unknown, message.Type);
                    Assert.Equal(default, error);
                    Span<byte> prefix = stackalloc byte[FrameReader.LengthPrefixSize];
                    before.Slice(0, FrameReader.LengthPrefixSize).CopyTo(prefix);
                    int frameLength = FrameReader.LengthPrefixSize + ((prefix[0] << 8) | prefix[1]);
                    Assert.True(frameLength > FrameReader.LengthPrefixSize, "a decoded frame has a non-empty body");
                    Assert.Equal(before.Length - frameLength, buffer.Length);
                    Assert.Equal(before.End, buffer.End);
                    messages.Add(message);
                    continue;
                }

                Assert.Null(message);
                AssertUntouched(before, buffer);
                if (status == FrameReadStatus.NeedMoreData)
                {
                    Assert.Equal(default, error);
                    break;
                }

                Assert.Equal(FrameReadStatus.Error, status);
                Assert.True(Enum.IsDefined(error.Kind), $"undefined error kind {(int)error.Kind}");
                Assert.NotEqual(FrameErrorKind.TrailingBytes, error.Kind);
                Assert.False(string.IsNullOrWhiteSpace(error.Detail), $"{error.Kind} without a detail");
                return new ReceiveOutcome(messages, bytesReceived - buffer.Length, error, buffer.Length, null);
            }
        }

        bool clean = FrameReader.TryCheckEndOfStream(buffer, out var endError);
        Assert.Equal(buffer.IsEmpty, clean);
        if (clean)
        {
            Assert.Equal(default, endError);
            return new ReceiveOutcome(messages, bytesReceived, null, 0, null);
        }

        Assert.Equal(FrameErrorKind.TrailingBytes, endError.Kind);
        Assert.False(string.IsNullOrWhiteSpace(endError.Detail), "TrailingBytes without a detail");
        return new ReceiveOutcome(messages, bytesReceived - buffer.Length, null, buffer.Length, endError);
    }

    /// <summary>Cuts <paramref name="stream"/> into chunks of the given sizes (at least 1), repeated cyclically.</summary>
    public static IEnumerable<byte[]> Chunk(byte[] stream, IReadOnlyList<int> sizes)
    {
        int offset = 0;
        int index = 0;
        while (offset < stream.Length)
        {
            int size = Math.Clamp(sizes[index++ % sizes.Count], 1, stream.Length - offset);
            yield return stream.AsSpan(offset, size).ToArray();
            offset += size;
        }
    }

    /// <summary>
    /// Cuts <paramref name="stream"/> at the given offsets (taken modulo Length + 1 and sorted; equal
    /// offsets give empty chunks, like empty WebSocket messages).
    /// </summary>
    public static IEnumerable<byte[]> CutAt(byte[] stream, IEnumerable<int> cuts)
    {
        int start = 0;
        foreach (int cut in cuts.Select(cut => (int)((uint)cut % (uint)(stream.Length + 1))).Order())
        {
            yield return stream[start..cut];
            start = cut;
        }

        yield return stream[start..];
    }

    private static void AssertUntouched(in ReadOnlySequence<byte> before, in ReadOnlySequence<byte> after)
    {
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(before.Start, after.Start);
        Assert.Equal(before.End, after.End);
    }
}
