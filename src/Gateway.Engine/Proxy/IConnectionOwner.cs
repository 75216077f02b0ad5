namespace Gateway.Engine.Proxy;

/// <summary>
/// What a <see cref="LocalConnection"/> needs from the link that carries it, beside its
/// <see cref="ITunnelSender"/>: the frame size and caps that shape its reads, a clock, and where
/// to say that its local side ended.
/// </summary>
internal interface IConnectionOwner
{
    /// <summary>The largest DATA payload a frame toward the tunnel carries.</summary>
    int MaxPayloadSize { get; }

    /// <summary>The session's cap toward the tunnel in bytes per second; null when uncapped.</summary>
    long? TunnelBytesPerSecond { get; }

    /// <summary>The cap of one connection toward the tunnel in bytes per second; 0 when uncapped.</summary>
    int ConnectionBytesPerSecond { get; }

    TimeProvider Time { get; }

    /// <summary>Counts time a connection waited for its own cap.</summary>
    void AddThrottledWait(TimeSpan waited);

    /// <summary>The connection's local read side ended: EOF (<paramref name="error"/> null) or an error.</summary>
    void OnLocalReadEnded(LocalConnection connection, string? error);
}
