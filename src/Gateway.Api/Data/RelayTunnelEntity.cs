namespace Gateway.Api.Data;

/// <summary>A relay tunnel row. Tokens are never stored, only their SHA-256 hashes.</summary>
public sealed class RelayTunnelEntity
{
    public required string Id { get; set; }
    public string? Description { get; set; }
    public string? ThingName { get; set; }

    /// <summary>The tunnel's tags as a JSON array of {key, value}.</summary>
    public string? TagsJson { get; set; }
    public DateTimeOffset? LastUpdatedAt { get; set; }
    public DateTimeOffset? SourceConnectionChangedAt { get; set; }
    public DateTimeOffset? DestinationConnectionChangedAt { get; set; }
    public List<string> Services { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public required string State { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndReason { get; set; }
    public required string SourceTokenHash { get; set; }
    public bool SourceTokenUsed { get; set; }
    public string? SourceClientTokenHash { get; set; }
    public required string DestinationTokenHash { get; set; }
    public bool DestinationTokenUsed { get; set; }
    public string? DestinationClientTokenHash { get; set; }
    public long BytesSourceToDestination { get; set; }
    public long BytesDestinationToSource { get; set; }

    /// <summary>Both ends run as sessions of this gateway (the demo pairing): they cannot outlive a restart.</summary>
    public bool PairedHere { get; set; }
}
