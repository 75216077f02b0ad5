namespace Gateway.Engine.Relay;

/// <summary>The outcome of a token rotation: the new tokens of the rotated ends only.</summary>
/// <param name="Tunnel">The tunnel's snapshot after the rotation.</param>
/// <param name="SourceAccessToken">The source end's new token; null when that end was not rotated.</param>
/// <param name="DestinationAccessToken">The destination end's new token; null when that end was not rotated.</param>
public sealed record RotatedTokens(RelayTunnelSnapshot Tunnel, string? SourceAccessToken, string? DestinationAccessToken);
