using System.Collections.Concurrent;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Proxy;

/// <summary>
/// One service id within one WebSocket connection of a session: its stream, its connection ids
/// and its local connections. State changes happen under the owning link's lock; the connection
/// table is concurrent so the data path reads it without locking.
/// </summary>
internal sealed class ServiceChannel(string? serviceId, ServiceEndpoint endpoint, Scheduling.FairScheduler<OutboundFrame>.Lane sharedLane)
{
    /// <summary>The id as configured and advertised; null for an unnamed mapping the service did not name.</summary>
    public string? ServiceId { get; } = serviceId;

    /// <summary><see cref="ServiceId"/> as UTF-8 (empty for null), to match DATA frames read in place.</summary>
    public byte[] ServiceIdUtf8 { get; } = System.Text.Encoding.UTF8.GetBytes(serviceId ?? string.Empty);

    public ServiceEndpoint Endpoint { get; } = endpoint;

    /// <summary>Source: the listener feeding this service.</summary>
    public SourceListener? Listener { get; set; }

    /// <summary>The stream now in use; 0 when none.</summary>
    public int CurrentStreamId { get; set; }

    /// <summary>Source: the last stream id sent (the next is this + 1, wrapping to 1).</summary>
    public int LastStreamId { get; set; }

    /// <summary>Source: a STREAM_START went out and no reset since, so new connections send CONNECTION_START.</summary>
    public bool StreamAlive { get; set; }

    /// <summary>Connection ids count per service for the life of the WebSocket, across stream resets (docs/protocol.md 8.2).</summary>
    public uint HighestConnectionId { get; set; }

    public ConcurrentDictionary<uint, LocalConnection> Connections { get; } = new();

    /// <summary>Destination: whether the peer's STREAM_START carried a serviceId, so our replies do too (docs/protocol.md 18).</summary>
    public bool MirrorServiceId { get; set; } = true;

    /// <summary>The lane V1/V2 connections (no connection id) of this service share toward the tunnel.</summary>
    public Scheduling.FairScheduler<OutboundFrame>.Lane SharedLane { get; } = sharedLane;

    public string Key => ServiceId ?? string.Empty;

    public int NextStreamId() => LastStreamId = LastStreamId == int.MaxValue ? 1 : LastStreamId + 1;
}
