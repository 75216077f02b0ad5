namespace Gateway.Engine.Protocol;

/// <summary>Which end of the tunnel a session is.</summary>
public enum SessionMode
{
    /// <summary>Listens on local ports and carries their connections to the destination.</summary>
    Source,

    /// <summary>Connects to local services when the source starts streams.</summary>
    Destination,
}
