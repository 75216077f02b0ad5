namespace Gateway.Api.Operations;

/// <summary>What <see cref="GatewayMetrics"/> has counted so far for one running session.</summary>
internal sealed class SessionTally
{
    public long BytesToTunnel { get; set; }

    public long BytesFromTunnel { get; set; }

    public long Reconnects { get; set; }

    public double ThrottledToTunnelMs { get; set; }

    public double ThrottledFromTunnelMs { get; set; }

    public double ThrottledConnectionsMs { get; set; }

    public long RefusedByLimit { get; set; }
}
