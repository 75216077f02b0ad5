namespace Gateway.Engine.Sessions;

/// <summary>
/// Where a session's tunnel lives on a control plane: the cloud's name (as the embedding program
/// calls it), the tunnel's id and ARN, and whether that program opened the tunnel itself.
/// </summary>
/// <param name="Cloud">The name the embedding program gives the control plane (an AWS account and region, or its relay).</param>
/// <param name="TunnelId">The tunnel's id on that control plane.</param>
/// <param name="TunnelArn">The tunnel's ARN, when known.</param>
/// <param name="OpenedHere">True when the embedding program opened the tunnel (and may close it when the session stops).</param>
public sealed record SessionTunnel(string Cloud, string TunnelId, string? TunnelArn, bool OpenedHere);
