namespace Gateway.Engine.Transport;

/// <summary>Why connecting to the tunnel service failed; only <see cref="Rejected"/> is final.</summary>
internal enum ConnectFailureKind
{
    /// <summary>DNS, TCP connect, timeout or the web proxy refused CONNECT.</summary>
    Network,

    /// <summary>The TLS handshake failed (certificate not trusted, host name mismatch, protocol).</summary>
    Tls,

    /// <summary>The service answered 5xx: transient, retried.</summary>
    ServerError,

    /// <summary>The service answered 4xx (or another non-101, non-5xx status): not retried.</summary>
    Rejected,

    /// <summary>The answer was not a valid WebSocket upgrade (accept key, missing or foreign subprotocol).</summary>
    Protocol,
}
