namespace Gateway.Engine.Relay;

/// <summary>A tunnel as the API shows it: no token, no hash.</summary>
/// <param name="Id">The tunnel id, a GUID.</param>
/// <param name="Description">The free text given when it was opened; null when none.</param>
/// <param name="Services">The service ids both ends get in SERVICE_IDS, possibly none.</param>
/// <param name="State">Open, or closed or expired.</param>
/// <param name="CreatedAt">When the tunnel was opened.</param>
/// <param name="ExpiresAt">When it expires, or expired, unless closed first.</param>
/// <param name="EndedAt">When it was closed or expired; null while open.</param>
/// <param name="EndReason">Why it ended (<c>Tunnel closed</c>, <c>Tunnel expired</c>), the close reason its ends got; null while open.</param>
/// <param name="Source">The source end: connected or not, and since when.</param>
/// <param name="Destination">The destination end: connected or not, and since when.</param>
/// <param name="BytesSourceToDestination">Bytes of tunnel frames relayed from the source to the destination (length prefixes included), over the tunnel's life.</param>
/// <param name="BytesDestinationToSource">Bytes of tunnel frames relayed from the destination to the source, likewise.</param>
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
    /// <summary>The thing the destination runs on (AWS <c>destinationConfig.thingName</c>); null when none was given.</summary>
    public string? ThingName { get; init; }

    /// <summary>The tunnel's resource tags, possibly none.</summary>
    public IReadOnlyList<TunnelTag> Tags { get; init; } = [];

    /// <summary>Last change of the tunnel itself: opened, closed, tokens rotated, tags changed.</summary>
    public DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>The lifetime the tunnel was opened with, in whole minutes.</summary>
    public int LifetimeMinutes => (int)Math.Round((ExpiresAt - CreatedAt).TotalMinutes);
}
