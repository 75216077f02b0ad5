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

    /// <summary>Largest WebSocket message accepted from a peer (docs/protocol.md section 4).</summary>
    public int MaxMessageSize { get; set; } = 131076;

    /// <summary>Largest HTTP upgrade request, request line and headers (docs/protocol.md section 2).</summary>
    public int MaxUpgradeRequestBytes { get; set; } = 4096;

    /// <summary>Messages queued toward one peer before the sender is made to wait.</summary>
    public int OutboundQueueCapacity { get; set; } = 32;

    /// <summary>
    /// Bytes per second the relay forwards per tunnel and direction; 0 or less: no cap (the
    /// default). AWS caps a tunnel at about 800 KB/s; set 800000 to behave like it. The relay
    /// delays, never drops: a sender beyond the cap is slowed by back-pressure.
    /// </summary>
    public long TunnelBandwidthLimit { get; set; }

    /// <summary>Most tunnels open at once (AWS: an account quota); more answer LimitExceeded.</summary>
    public int MaxOpenTunnels { get; set; } = 1000;

    /// <summary>How long a closed or expired tunnel stays listable before it is deleted.</summary>
    public TimeSpan ClosedTunnelRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The region in tunnel ARNs and the one SigV4 requests must be signed for.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The 12-digit account id in tunnel ARNs.</summary>
    public string AccountId { get; set; } = "000000000000";

    /// <summary>How long a close handshake may take before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Refused handshakes logged per remote address and window; the rest are counted in one summary line.</summary>
    public int RejectedHandshakeLogLimit { get; set; } = 5;

    /// <summary>The window of <see cref="RejectedHandshakeLogLimit"/>.</summary>
    public TimeSpan RejectedHandshakeLogWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Remote addresses counted one by one; refusals from further addresses share one count.</summary>
    public int RejectedHandshakeLogMaxAddresses { get; set; } = 1000;
}
