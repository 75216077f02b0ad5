using Gateway.Engine.Scheduling;

namespace Gateway.Engine.Proxy;

/// <summary>
/// The send side as a local connection sees it: a lane of its own, a slot before each DATA frame,
/// and the frame handed over. Implemented by the link's tunnel writer (<c>Sessions.TunnelWriter</c>).
/// </summary>
internal interface ITunnelSender
{
    /// <summary>A lane of its own for a connection (V3: one per connection id).</summary>
    FairScheduler<OutboundFrame>.Lane NewLane();

    /// <summary>Waits for room for one DATA frame in <paramref name="lane"/> and in the link's bound.</summary>
    ValueTask WaitForDataSlotAsync(FairScheduler<OutboundFrame>.Lane lane, CancellationToken cancellationToken);

    /// <summary>Gives back a slot taken by <see cref="WaitForDataSlotAsync"/> for a frame never queued.</summary>
    void ReleaseDataSlot(FairScheduler<OutboundFrame>.Lane lane);

    /// <summary>Queues a DATA frame. False when the link is ending (the caller keeps the buffer and the slot).</summary>
    bool EnqueueData(FairScheduler<OutboundFrame>.Lane lane, byte[] buffer, int offset, int length, int payloadBytes);
}
