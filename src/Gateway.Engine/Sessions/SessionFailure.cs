namespace Gateway.Engine.Sessions;

/// <summary>Why a session ended <see cref="SessionState.Failed"/>, for programs (the CLI's exit code, metrics).</summary>
public enum SessionFailure
{
    /// <summary>The session has not failed.</summary>
    None,

    /// <summary>The service answered the handshake with a final (4xx) status.</summary>
    HandshakeRejected,

    /// <summary>Connecting failed <c>websocket.connect_retry_count</c> times (network, TLS, 5xx).</summary>
    RetriesExhausted,

    /// <summary>An established connection dropped and <c>websocket.reconnect_on_data_error</c> is false.</summary>
    ConnectionLost,

    /// <summary>The local configuration cannot serve the tunnel (service ids do not match, a port cannot be bound).</summary>
    Configuration,

    /// <summary>A bug in the engine ended the session.</summary>
    Internal,
}
