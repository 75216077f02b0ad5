namespace Gateway.Engine.Relay;

/// <summary>
/// What the relay persists about a tunnel: enough to survive a restart of the gateway while its
/// proxies reconnect with their client tokens. Tokens are stored only as SHA-256 hashes.
/// </summary>
public sealed record TunnelRecord
{
    /// <summary>The tunnel id, a GUID; the store's key.</summary>
    public required string Id { get; init; }

    /// <summary>The free text given when the tunnel was opened; null when none.</summary>
    public string? Description { get; init; }

    /// <summary>The thing the destination runs on (AWS <c>destinationConfig.thingName</c>).</summary>
    public string? ThingName { get; init; }

    /// <summary>The tunnel's resource tags, possibly none.</summary>
    public IReadOnlyList<TunnelTag> Tags { get; init; } = [];

    /// <summary>The service ids both ends get in SERVICE_IDS, possibly none.</summary>
    public required IReadOnlyList<string> Services { get; init; }

    /// <summary>When the tunnel was opened.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the tunnel's lifetime is over; an open tunnel loaded after this is marked expired.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Open, closed or expired; <see cref="RelayTunnelState.Open"/> unless set.</summary>
    public RelayTunnelState State { get; init; }

    /// <summary>Last change of the tunnel itself (open, close, rotate, tags); null reads as <see cref="CreatedAt"/>.</summary>
    public DateTimeOffset? LastUpdatedAt { get; init; }
    /// <summary>When the tunnel was closed or expired; null while open. The record is pruned a retention time after it.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why the tunnel ended (<c>Tunnel closed</c>, <c>Tunnel expired</c>); null while open.</summary>
    public string? EndReason { get; init; }

    /// <summary>The source end's token state.</summary>
    public required TunnelEndRecord Source { get; init; }

    /// <summary>The destination end's token state.</summary>
    public required TunnelEndRecord Destination { get; init; }

    /// <summary>Bytes of tunnel frames relayed from the source to the destination, as of the last save.</summary>
    public long BytesSourceToDestination { get; init; }

    /// <summary>Bytes of tunnel frames relayed from the destination to the source, as of the last save.</summary>
    public long BytesDestinationToSource { get; init; }
}
