namespace Gateway.Engine.Relay;

/// <summary>The outcome of a token rotation: the new tokens of the rotated ends only.</summary>
public sealed record RotatedTokens(RelayTunnelSnapshot Tunnel, string? SourceAccessToken, string? DestinationAccessToken);
