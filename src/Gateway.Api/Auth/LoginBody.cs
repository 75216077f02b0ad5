namespace Gateway.Api.Auth;

/// <summary>Body of <c>POST /api/auth/login</c>.</summary>
public sealed record LoginBody(string? UserName, string? Password);
