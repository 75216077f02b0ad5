namespace Gateway.Api.Hubs;

/// <summary>What a <see cref="HubUpdate"/> carries.</summary>
internal enum HubUpdateKind
{
    Changed,
    Counters,
    Removed,
    Log,

    /// <summary>The 250 ms tick: send the coalesced counters and details.</summary>
    Flush,
}
