namespace Gateway.Engine.Protocol;

/// <summary>
/// The message format a session emits (<c>-y/--destination-client-type</c>, docs/protocol.md section 9).
/// The handshake subprotocol does not change with it.
/// </summary>
public enum MessageFormat
{
    /// <summary>serviceId and connectionId; several connections per stream.</summary>
    V3,

    /// <summary>serviceId, no connectionId: one connection per stream.</summary>
    V2,

    /// <summary>neither serviceId nor connectionId: one service, one connection.</summary>
    V1,
}
