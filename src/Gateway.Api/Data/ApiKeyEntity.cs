namespace Gateway.Api.Data;

/// <summary>
/// An API key (header <c>X-Api-Key</c>). Only the SHA-256 of the key is stored: keys are 256-bit
/// random values, so a fast hash is enough; the key itself is shown once, when it is created.
/// </summary>
public sealed class ApiKeyEntity
{
    /// <summary>Public id, also the key's visible prefix.</summary>
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    public string KeyHash { get; set; } = string.Empty;

    /// <summary><c>viewer</c>, <c>operator</c> or <c>admin</c>.</summary>
    public string Role { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
