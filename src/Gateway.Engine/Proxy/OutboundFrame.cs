using Gateway.Engine.Scheduling;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Proxy;

/// <summary>
/// One WebSocket message for the writer loop. The payload is at <see cref="Offset"/> with at least
/// <see cref="TunnelWebSocket.MaxHeaderSize"/> free bytes before it. Pooled buffers go back to the
/// pool after the write; data frames also give back their slot in <see cref="SlotLane"/> and the
/// session's.
/// </summary>
internal readonly record struct OutboundFrame(WebSocketOpcode Opcode, byte[] Buffer, int Offset, int Length, bool Pooled, FairScheduler<OutboundFrame>.Lane? SlotLane) : IFairItem
{
    public int Size => Length;
}
