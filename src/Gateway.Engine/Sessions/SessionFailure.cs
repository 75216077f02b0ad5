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

    /// <summary>
    /// A source listen port bound at start could not be listened on when the tunnel named its
    /// services: another program started listening on it meanwhile (on Linux two sockets may bind
    /// one port with SO_REUSEADDR while neither listens), or a port bound only then was in use.
    /// </summary>
    PortUnavailable,

    /// <summary>A bug in the engine ended the session.</summary>
    Internal,
}
