namespace Gateway.Api.Profiles;

/// <summary>Which stored secrets a PUT removes (<c>clearAccessToken</c>, <c>clearClientToken</c>, <c>clearProxyPassword</c>).</summary>
internal sealed record ProfileSecretsCleared(bool AccessToken, bool ClientToken, bool ProxyPassword);
