using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Engine.Relay;

// Stream bookkeeping. The service tells a peer when the other side went away by sending
// STREAM_RESET for each stream that was active (docs/protocol.md section 16 item 9), so the relay
// follows STREAM_START/STREAM_RESET as they pass. One active stream per service id ("" for a
// V1-style stream without serviceId).
internal sealed partial class RelayTunnel
{
    private readonly Dictionary<string, ActiveStream> _streams = new(StringComparer.Ordinal);

    /// <summary>Records the stream effects of a frame that is being relayed.</summary>
    public void Track(Message message)
    {
        if (message.Type is not (MessageType.StreamStart or MessageType.StreamReset))
        {
            return;
        }

        lock (_gate)
        {
            if (message.Type == MessageType.StreamStart)
            {
                _streams[message.ServiceId] = new ActiveStream(message.StreamId, message.ServiceId);
            }
            else if (_streams.TryGetValue(message.ServiceId, out var active) && active.StreamId == message.StreamId)
            {
                _streams.Remove(message.ServiceId);
            }
        }
    }

    // Caller holds _gate. Queues STREAM_RESET{streamId, serviceId} for every active stream to
    // the given end (if connected) and forgets the streams.
    private void ResetStreamsTowards(TunnelEnd end)
    {
        var peer = End(end).Peer;
        if (peer is not null)
        {
            foreach (var stream in _streams.Values)
            {
                peer.EnqueueControl(FrameWriter.ToArray(TunnelMessages.StreamReset(stream.StreamId, stream.ServiceId)));
            }
        }

        _streams.Clear();
    }

    private readonly record struct ActiveStream(int StreamId, string ServiceId);
}
