namespace Gateway.Engine.Relay;

/// <summary>One of the two ends of a tunnel; each has its own single-use access token.</summary>
public enum TunnelEnd
{
    Source,
    Destination,
}
