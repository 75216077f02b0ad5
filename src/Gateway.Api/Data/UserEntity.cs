namespace Gateway.Api.Data;

/// <summary>A person who logs in to the dashboard (cookie). The password is stored as an ASP.NET Core Identity hash.</summary>
public sealed class UserEntity
{
    public int Id { get; set; }

    public string UserName { get; set; } = string.Empty;

    public string PasswordHash { get; set; } = string.Empty;

    /// <summary><c>viewer</c>, <c>operator</c> or <c>admin</c>.</summary>
    public string Role { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}
