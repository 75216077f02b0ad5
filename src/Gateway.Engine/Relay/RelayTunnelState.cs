namespace Gateway.Engine.Relay;

/// <summary>Lifecycle of a relay tunnel. Only <see cref="Open"/> tunnels accept connections.</summary>
public enum RelayTunnelState
{
    Open,
    Closed,
    Expired,
}
