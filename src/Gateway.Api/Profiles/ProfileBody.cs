namespace Gateway.Api.Profiles;

/// <summary>
/// Body of <c>POST /api/profiles</c> (create) and <c>PUT /api/profiles/{id}</c> (replace): a saved
/// session spec, the <see cref="ProfileFields"/> with optional tokens. The session fields mean what
/// they mean in <c>POST /api/tunnels</c>; tokens are stored encrypted and never shown again (answers
/// say <c>hasAccessToken</c>/<c>hasClientToken</c>).
/// </summary>
public sealed record ProfileBody : ProfileFields
{
    /// <summary>Optional: a fresh token can be given when starting. On PUT, absent keeps the stored one. Never shown.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Optional, 32-128 of [a-zA-Z0-9-]. On PUT, absent keeps the stored one. Never shown.</summary>
    public string? ClientToken { get; init; }

    /// <summary>PUT only: true removes the stored access token.</summary>
    public bool? ClearAccessToken { get; init; }

    /// <summary>PUT only: true removes the stored client token.</summary>
    public bool? ClearClientToken { get; init; }

    /// <summary>PUT only: true removes the stored web proxy password.</summary>
    public bool? ClearProxyPassword { get; init; }
}
