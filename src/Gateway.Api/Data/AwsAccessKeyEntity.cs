namespace Gateway.Api.Data;

/// <summary>
/// An AWS-style access key for the relay's management API (SigV4). The server must recompute
/// signatures, so the secret is stored encrypted (Data Protection), not hashed. The key acts as its
/// user: the user's current role decides what it may do.
/// </summary>
public sealed class AwsAccessKeyEntity
{
    /// <summary>The access key id (AKIA + 16 characters), public.</summary>
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>The secret access key, protected with Data Protection.</summary>
    public string ProtectedSecret { get; set; } = string.Empty;

    public int UserId { get; set; }

    public UserEntity? User { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
