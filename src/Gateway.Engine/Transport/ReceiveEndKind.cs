namespace Gateway.Engine.Transport;

/// <summary>Why a WebSocket receive loop ended.</summary>
internal enum ReceiveEndKind
{
    /// <summary>The service sent a close frame.</summary>
    CloseReceived,

    /// <summary>The connection ended without a close frame (EOF, reset, I/O error).</summary>
    Dropped,

    /// <summary>The service broke the WebSocket or tunnel protocol (text frame, masked frame, bad framing).</summary>
    ProtocolError,

    /// <summary>We stopped reading (session stopping or another loop failed).</summary>
    Cancelled,
}
