using System.Buffers;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// What an end may receive from the relay, judged independently of the relay's own code: every
/// WebSocket message is a run of whole frames, the first one of a connection is the tunnel's
/// SERVICE_IDS, and every later frame is one the other end really sent (read from the start of
/// one of its connections) or a STREAM_RESET the relay made for a stream, and passes the rules
/// the service enforces on clients (docs/protocol.md section 16 item 7).
/// </summary>
internal sealed class RelayFrameOracle(IReadOnlyList<string> services)
{
    private readonly HashSet<string> _serviceSet = new(services, StringComparer.Ordinal);
    private readonly byte[] _serviceIds = FrameWriter.ToArray(TunnelMessages.ServiceIds(services));

    /// <summary>Every whole frame of <paramref name="stream"/> read from its start, as hex.</summary>
    public static IEnumerable<string> FramesFromStart(byte[] stream)
    {
        var bytes = new ReadOnlySequence<byte>(stream);
        while (true)
        {
            var before = bytes;
            if (FrameReader.TryRead(ref bytes, out _, out _) != FrameReadStatus.Message)
            {
                yield break;
            }

            yield return Convert.ToHexString(before.Slice(0, before.Length - bytes.Length).ToArray());
        }
    }

    /// <summary>
    /// Checks what one connection received; returns the number of frames it got after SERVICE_IDS.
    /// <paramref name="sent"/>: the hex of every frame the other end sent whole;
    /// <paramref name="resets"/>: the hex of the STREAM_RESETs the relay may have made.
    /// </summary>
    public int Check(string receiver, IReadOnlyList<byte[]> messages, IReadOnlySet<string> sent, IReadOnlySet<string> resets, string context)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        Assert.True(messages[0].AsSpan().SequenceEqual(_serviceIds), $"{context}: the first message to the {receiver} is {Convert.ToHexString(messages[0])}, not the tunnel's SERVICE_IDS");
        int frames = 0;
        for (int i = 1; i < messages.Count; i++)
        {
            var bytes = new ReadOnlySequence<byte>(messages[i]);
            while (!bytes.IsEmpty)
            {
                var before = bytes;
                var status = FrameReader.TryRead(ref bytes, out var message, out var error);
                string where = $"{context}: message {i} to the {receiver} ({Convert.ToHexString(messages[i])})";
                Assert.True(status != FrameReadStatus.NeedMoreData, $"{where} ends inside a frame");
                Assert.True(status == FrameReadStatus.Message, $"{where} is not whole frames: {error.Detail}");
                string hex = Convert.ToHexString(before.Slice(0, before.Length - bytes.Length).ToArray());
                string? broken = Violation(message!, receiver);
                Assert.True(broken is null, $"{where}: {broken}");
                Assert.True(sent.Contains(hex) || resets.Contains(hex), $"{where}: frame {hex} was never sent whole by the other end");
                frames++;
            }
        }

        return frames;
    }

    private string? Violation(Message message, string receiver)
    {
        if (message.HasUnknownFields)
        {
            return "a frame with unknown fields";
        }

        switch (message.Type)
        {
            case MessageType.ServiceIds or MessageType.SessionReset:
                return $"{message.Type} from a client";
            case MessageType.StreamStart or MessageType.ConnectionStart when receiver == "source":
                return $"{message.Type} from the destination";
            case MessageType.Data or MessageType.StreamStart or MessageType.StreamReset or MessageType.ConnectionStart or MessageType.ConnectionReset:
                if (message.StreamId == 0)
                {
                    return $"{message.Type} with streamId 0";
                }

                if (message.ServiceId.Length > 0 && !_serviceSet.Contains(message.ServiceId))
                {
                    return $"{message.Type} for the foreign service '{message.ServiceId}'";
                }

                return message.Payload.Length > TunnelMessages.MaxPayloadSize ? $"payload of {message.Payload.Length} bytes" : null;
            default:
                return null;
        }
    }
}
