namespace Gateway.Engine.Relay;

/// <summary>
/// What the relay persists about a tunnel: enough to survive a restart of the gateway while its
/// proxies reconnect with their client tokens. Tokens are stored only as SHA-256 hashes.
/// </summary>
public sealed record TunnelRecord
{
    public required string Id { get; init; }
    public string? Description { get; init; }

    /// <summary>The thing the destination runs on (AWS <c>destinationConfig.thingName</c>).</summary>
    public string? ThingName { get; init; }

    public IReadOnlyList<TunnelTag> Tags { get; init; } = [];
    public required IReadOnlyList<string> Services { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public RelayTunnelState State { get; init; }

    /// <summary>Last change of the tunnel itself (open, close, rotate, tags); null reads as <see cref="CreatedAt"/>.</summary>
    public DateTimeOffset? LastUpdatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? EndReason { get; init; }
    public required TunnelEndRecord Source { get; init; }
    public required TunnelEndRecord Destination { get; init; }
    public long BytesSourceToDestination { get; init; }
    public long BytesDestinationToSource { get; init; }
}
