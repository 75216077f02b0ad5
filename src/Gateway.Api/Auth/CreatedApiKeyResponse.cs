namespace Gateway.Api.Auth;

/// <summary>Answer to <c>POST /api/keys</c>: the only time the key is shown.</summary>
public sealed record CreatedApiKeyResponse(string Id, string Name, string Role, string Key, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
