namespace Gateway.Api.Relay;

/// <summary>Body of <c>POST /api/relay/tunnels</c>.</summary>
/// <param name="Services">Service ids (0..n) sent to both ends in SERVICE_IDS, e.g. ["SSH"].</param>
/// <param name="LifetimeMinutes">Minutes until the tunnel expires (1-720, default 720).</param>
/// <param name="Description">Free text shown in listings.</param>
/// <param name="Connect">Also start both ends here as sessions (demo / self-hosted pairing).</param>
/// <param name="ThingName">The thing the destination runs on (AWS destinationConfig.thingName).</param>
/// <param name="Tags">Resource tags (at most 200), as at AWS.</param>
public sealed record CreateRelayTunnelBody(
    List<string>? Services,
    int? LifetimeMinutes,
    string? Description,
    RelayConnectBody? Connect = null,
    string? ThingName = null,
    List<RelayTagBody>? Tags = null);

/// <summary>One resource tag.</summary>
/// <param name="Key">1-128 letters, digits, spaces or _ . : / = + - @.</param>
/// <param name="Value">0-256 of the same characters.</param>
public sealed record RelayTagBody(string Key, string Value);

/// <summary>Body of <c>POST /api/relay/tunnels/{id}/rotate</c>.</summary>
/// <param name="Ends">Which ends get new tokens: <c>source</c>, <c>destination</c> or <c>all</c>.</param>
public sealed record RotateRelayTokensBody(string? Ends);

/// <summary>The new tokens of the rotated ends (the others are left out).</summary>
/// <param name="TunnelId">The tunnel.</param>
/// <param name="SourceAccessToken">The source end's new token, when it was rotated (shown only here).</param>
/// <param name="DestinationAccessToken">The destination end's new token, when it was rotated (shown only here).</param>
public sealed record RotatedRelayTokensResponse(string TunnelId, string? SourceAccessToken, string? DestinationAccessToken);
