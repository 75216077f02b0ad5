namespace Gateway.Api.Data;

/// <summary>
/// One dashboard login (a cookie): the cookie names it, every request checks that it still exists,
/// and logging out deletes it, so a copy of the cookie stops working with the original.
/// </summary>
public sealed class LoginEntity
{
    /// <summary>Random, 32 hex digits; carried in the cookie as <c>tg:login</c>.</summary>
    public string Id { get; set; } = string.Empty;

    public int UserId { get; set; }

    public UserEntity? User { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last request seen (written at most every few minutes); old logins are pruned by it.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
}
