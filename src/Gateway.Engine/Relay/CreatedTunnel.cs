namespace Gateway.Engine.Relay;

/// <summary>
/// A tunnel just created, with its two access tokens. This is the only object that ever holds the
/// plain tokens; the relay keeps hashes.
/// </summary>
/// <param name="Tunnel">The new tunnel's snapshot.</param>
/// <param name="SourceAccessToken">The source end's single-use access token.</param>
/// <param name="DestinationAccessToken">The destination end's single-use access token.</param>
public sealed record CreatedTunnel(RelayTunnelSnapshot Tunnel, string SourceAccessToken, string DestinationAccessToken);
