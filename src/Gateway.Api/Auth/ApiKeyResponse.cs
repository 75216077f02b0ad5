namespace Gateway.Api.Auth;

/// <summary>An API key as listed: never the key itself.</summary>
public sealed record ApiKeyResponse(string Id, string Name, string Role, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
