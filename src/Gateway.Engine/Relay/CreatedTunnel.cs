namespace Gateway.Engine.Relay;

/// <summary>
/// A tunnel just created, with its two access tokens. This is the only object that ever holds the
/// plain tokens; the relay keeps hashes.
/// </summary>
public sealed record CreatedTunnel(RelayTunnelSnapshot Tunnel, string SourceAccessToken, string DestinationAccessToken);
