namespace Gateway.Engine.Relay;

/// <summary>Knobs of the built-in relay. Defaults follow the AWS service where it has one.</summary>
public sealed class RelayOptions
{
    /// <summary>Lifetime when a create request gives none (AWS: 12 hours).</summary>
    public int DefaultLifetimeMinutes { get; set; } = 720;

    /// <summary>Longest lifetime a tunnel may ask for (AWS: 12 hours).</summary>
    public int MaxLifetimeMinutes { get; set; } = 720;

    /// <summary>Most service ids per tunnel (AWS allows 3; self-hosted users want more).</summary>
    public int MaxServicesPerTunnel { get; set; } = 64;

    /// <summary>Largest WebSocket message accepted from a peer (protocol.md section 4).</summary>
    public int MaxMessageSize { get; set; } = 131076;

    /// <summary>Largest HTTP upgrade request, request line and headers (protocol.md section 2).</summary>
    public int MaxUpgradeRequestBytes { get; set; } = 4096;

    /// <summary>Messages queued toward one peer before the sender is made to wait.</summary>
    public int OutboundQueueCapacity { get; set; } = 32;

    /// <summary>How long a close handshake may take before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Refused handshakes logged per remote address and window; the rest are counted in one summary line.</summary>
    public int RejectedHandshakeLogLimit { get; set; } = 5;

    /// <summary>The window of <see cref="RejectedHandshakeLogLimit"/>.</summary>
    public TimeSpan RejectedHandshakeLogWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Remote addresses counted one by one; refusals from further addresses share one count.</summary>
    public int RejectedHandshakeLogMaxAddresses { get; set; } = 1000;
}
