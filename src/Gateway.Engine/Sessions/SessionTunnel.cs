namespace Gateway.Engine.Sessions;

/// <summary>
/// Where a session's tunnel lives on a control plane: the cloud's name (as the embedding program
/// calls it), the tunnel's id and ARN, and whether that program opened the tunnel itself.
/// </summary>
public sealed record SessionTunnel(string Cloud, string TunnelId, string? TunnelArn, bool OpenedHere);
