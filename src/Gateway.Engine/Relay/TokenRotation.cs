namespace Gateway.Engine.Relay;

/// <summary>Which ends get new access tokens (AWS <c>ClientMode</c>).</summary>
public enum TokenRotation
{
    Source,
    Destination,
    All,
}
