namespace Gateway.Engine.Relay;

internal enum AttachOutcome
{
    Attached,
    Replaced,
    TunnelEnded,

    /// <summary>The end's access token was rotated after this connection's handshake.</summary>
    Revoked,
}
