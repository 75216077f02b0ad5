namespace Gateway.Engine.Relay;

/// <summary>Persisted token state of one tunnel end.</summary>
/// <param name="AccessTokenHash">SHA-256 (hex) of the end's access token.</param>
/// <param name="Used">True once the token's first handshake succeeded ("burned").</param>
/// <param name="ClientTokenHash">SHA-256 (hex) of the client token of that first use, if any.</param>
/// <param name="ConnectionChangedAt">When this end last connected or disconnected (AWS <c>ConnectionState.lastUpdatedAt</c>).</param>
public sealed record TunnelEndRecord(string AccessTokenHash, bool Used = false, string? ClientTokenHash = null, DateTimeOffset? ConnectionChangedAt = null);
