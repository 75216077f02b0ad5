namespace Gateway.Api.Auth;

/// <summary>Who is logged in; <paramref name="CsrfToken"/> goes in <c>X-CSRF-TOKEN</c> on changes made with the cookie.</summary>
public sealed record CurrentUserResponse(string Name, string Role, string AuthMethod, string? CsrfToken);
