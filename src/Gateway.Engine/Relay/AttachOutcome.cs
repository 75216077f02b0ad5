namespace Gateway.Engine.Relay;

internal enum AttachOutcome
{
    Attached,
    Replaced,
    TunnelEnded,
}
