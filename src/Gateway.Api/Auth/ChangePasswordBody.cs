namespace Gateway.Api.Auth;

/// <summary>Body of <c>POST /api/auth/password</c>: the caller's own password change.</summary>
/// <param name="CurrentPassword">The password the caller logged in with.</param>
/// <param name="NewPassword">The new one (12 to 256 characters).</param>
public sealed record ChangePasswordBody(string? CurrentPassword, string? NewPassword);
