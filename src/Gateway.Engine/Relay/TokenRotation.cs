namespace Gateway.Engine.Relay;

/// <summary>Which ends get new access tokens (AWS <c>ClientMode</c>).</summary>
public enum TokenRotation
{
    /// <summary>Only the source end gets a new token (<c>SOURCE</c>).</summary>
    Source,

    /// <summary>Only the destination end gets a new token (<c>DESTINATION</c>).</summary>
    Destination,

    /// <summary>Both ends get new tokens (<c>ALL</c>).</summary>
    All,
}
