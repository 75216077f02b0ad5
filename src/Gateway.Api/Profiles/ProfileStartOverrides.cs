namespace Gateway.Api.Profiles;

/// <summary>
/// What a start request may change of a profile for that one session; null keeps the profile's value.
/// Tokens given here are used once and never stored.
/// </summary>
/// <param name="AccessToken">A fresh access token (tunnel tokens are single-use, so this is the usual case).</param>
/// <param name="ClientToken">A client token for this session.</param>
/// <param name="Services">Another service map.</param>
/// <param name="BindAddress">Another bind address.</param>
/// <param name="Name">The session's display name (default: the profile's name).</param>
internal sealed record ProfileStartOverrides(
    string? AccessToken = null,
    string? ClientToken = null,
    string? Services = null,
    string? BindAddress = null,
    string? Name = null)
{
    public static ProfileStartOverrides None { get; } = new();
}
