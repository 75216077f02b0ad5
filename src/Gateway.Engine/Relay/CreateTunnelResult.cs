namespace Gateway.Engine.Relay;

/// <summary>
/// Either the created tunnel or, per field, what was wrong with the request, or (with no field
/// errors) the quota that refused it.
/// </summary>
public sealed record CreateTunnelResult(CreatedTunnel? Created, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Created is not null;

    /// <summary>Set when a quota (open tunnels, services per tunnel) refused the request.</summary>
    public string? LimitExceeded { get; init; }
}
