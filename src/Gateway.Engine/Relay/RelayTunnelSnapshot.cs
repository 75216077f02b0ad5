namespace Gateway.Engine.Relay;

/// <summary>A tunnel as the API shows it: no token, no hash.</summary>
public sealed record RelayTunnelSnapshot(
    string Id,
    string? Description,
    IReadOnlyList<string> Services,
    RelayTunnelState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    RelayEndSnapshot Source,
    RelayEndSnapshot Destination,
    long BytesSourceToDestination,
    long BytesDestinationToSource)
{
    public string? ThingName { get; init; }

    public IReadOnlyList<TunnelTag> Tags { get; init; } = [];

    /// <summary>Last change of the tunnel itself: opened, closed, tokens rotated, tags changed.</summary>
    public DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>The lifetime the tunnel was opened with, in whole minutes.</summary>
    public int LifetimeMinutes => (int)Math.Round((ExpiresAt - CreatedAt).TotalMinutes);
}
