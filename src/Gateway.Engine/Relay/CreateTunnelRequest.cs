namespace Gateway.Engine.Relay;

/// <summary>Asks the relay for a new tunnel (the relay's <c>OpenTunnel</c>).</summary>
/// <param name="Services">Service ids sent to both ends in SERVICE_IDS (0..n).</param>
/// <param name="LifetimeMinutes">Minutes until the tunnel expires; null for the default.</param>
/// <param name="Description">Free text shown in listings.</param>
public sealed record CreateTunnelRequest(IReadOnlyList<string>? Services, int? LifetimeMinutes = null, string? Description = null)
{
    /// <summary>The thing the destination runs on (AWS <c>destinationConfig.thingName</c>).</summary>
    public string? ThingName { get; init; }

    /// <summary>Resource tags, at most <see cref="TunnelRules.MaxTags"/>.</summary>
    public IReadOnlyList<TunnelTag>? Tags { get; init; }
}
