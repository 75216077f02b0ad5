namespace Gateway.Engine.Relay;

/// <summary>One end of a tunnel as the API shows it.</summary>
/// <param name="Connected">A proxy is connected to this end now.</param>
/// <param name="ConnectedSince">When the current connection was accepted.</param>
/// <param name="TokenUsed">The access token was used once (it is single-use).</param>
/// <param name="ChannelId">The <c>channel-id</c> of the current connection.</param>
/// <param name="RemoteAddress">Where the current connection comes from.</param>
/// <param name="Connections">How many connections this end has accepted so far.</param>
public sealed record RelayEndSnapshot(
    bool Connected,
    DateTimeOffset? ConnectedSince,
    bool TokenUsed,
    string? ChannelId,
    string? RemoteAddress,
    int Connections)
{
    /// <summary>When this end last connected or disconnected (the tunnel's creation if never).</summary>
    public DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>Time the relay's sending toward the current connection waited for <c>Relay:TunnelBandwidthLimit</c>, in milliseconds.</summary>
    public double ThrottledMs { get; init; }
}
