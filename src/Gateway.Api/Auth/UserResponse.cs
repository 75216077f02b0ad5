namespace Gateway.Api.Auth;

/// <summary>A dashboard user as listed (never the password hash).</summary>
public sealed record UserResponse(string UserName, string Role, DateTimeOffset CreatedAt, string? CreatedBy);
