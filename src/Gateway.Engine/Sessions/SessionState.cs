namespace Gateway.Engine.Sessions;

/// <summary>Where a session is in its life. Closed, Failed and Stopped are final.</summary>
public enum SessionState
{
    /// <summary>First connect to the service in progress (or waiting to retry it).</summary>
    Connecting,

    /// <summary>WebSocket open.</summary>
    Connected,

    /// <summary>An established connection dropped; reconnecting with back-off.</summary>
    Reconnecting,

    /// <summary>The service closed the tunnel with a close frame (CloseTunnel, expiry).</summary>
    Closed,

    /// <summary>The service rejected the handshake, retries ran out, or the configuration cannot work.</summary>
    Failed,

    /// <summary>Stopped by the user.</summary>
    Stopped,
}
