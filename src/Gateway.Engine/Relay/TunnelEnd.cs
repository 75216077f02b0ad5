namespace Gateway.Engine.Relay;

/// <summary>One of the two ends of a tunnel; each has its own single-use access token.</summary>
public enum TunnelEnd
{
    /// <summary>The end that listens on local ports and starts streams (the operator's side).</summary>
    Source,

    /// <summary>The end that connects to local services when streams start (the device's side).</summary>
    Destination,
}
