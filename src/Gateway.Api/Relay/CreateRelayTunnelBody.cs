namespace Gateway.Api.Relay;

/// <summary>Body of <c>POST /api/relay/tunnels</c>.</summary>
/// <param name="Services">Service ids (0..n) sent to both ends in SERVICE_IDS, e.g. ["SSH"].</param>
/// <param name="LifetimeMinutes">Minutes until the tunnel expires (1-720, default 720).</param>
/// <param name="Description">Free text shown in listings.</param>
/// <param name="Connect">Also start both ends here as sessions (demo / self-hosted pairing).</param>
public sealed record CreateRelayTunnelBody(List<string>? Services, int? LifetimeMinutes, string? Description, RelayConnectBody? Connect = null);
