namespace Gateway.Api.Auth;

/// <summary>Body of <c>POST /api/users</c> and <c>PUT /api/users/{userName}</c> (where absent fields stay unchanged).</summary>
public sealed record UserBody(string? UserName, string? Password, string? Role);
