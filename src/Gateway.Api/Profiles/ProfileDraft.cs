namespace Gateway.Api.Profiles;

/// <summary>A validated profile to store, with its tokens and web proxy password in plain text (encrypted by <see cref="ProfileStore"/>).</summary>
internal sealed record ProfileDraft(ProfileValues Values, string? AccessToken, string? ClientToken, string? ProxyPassword);
