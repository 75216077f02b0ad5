namespace Gateway.Engine.Relay;

/// <summary>Lifecycle of a relay tunnel. Only <see cref="Open"/> tunnels accept connections.</summary>
public enum RelayTunnelState
{
    /// <summary>The tunnel accepts its ends' connections until it is closed or its lifetime is over.</summary>
    Open,

    /// <summary>Closed by <see cref="TunnelRelay.CloseAsync"/> (REST or <c>CloseTunnel</c>); its tokens no longer work.</summary>
    Closed,

    /// <summary>Its lifetime ran out (<see cref="RelayTunnelSnapshot.ExpiresAt"/>); its tokens no longer work.</summary>
    Expired,
}
