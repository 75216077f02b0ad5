namespace Gateway.Api.Auth;

/// <summary>Body of <c>POST /api/keys</c>.</summary>
/// <param name="Name">What the key is for, e.g. "ci-pipeline" (1-128 characters, unique among active keys).</param>
/// <param name="Role">viewer, operator or admin.</param>
/// <param name="ExpiresInDays">Optional lifetime, 1-3650 days; no expiry when absent.</param>
public sealed record CreateApiKeyBody(string? Name, string? Role, int? ExpiresInDays);
