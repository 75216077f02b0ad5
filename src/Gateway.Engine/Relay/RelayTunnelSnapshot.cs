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
    long BytesDestinationToSource);
