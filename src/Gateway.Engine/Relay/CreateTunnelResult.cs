namespace Gateway.Engine.Relay;

/// <summary>
/// Either the created tunnel or, per field, what was wrong with the request, or (with no field
/// errors) the quota that refused it.
/// </summary>
/// <param name="Created">The new tunnel and its two access tokens; null when the request was refused.</param>
/// <param name="Errors">What is wrong with the request, by field name (such as <c>services</c>); empty on success.</param>
public sealed record CreateTunnelResult(CreatedTunnel? Created, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>True when the tunnel was created (<see cref="Created"/> is set).</summary>
    public bool Succeeded => Created is not null;

    /// <summary>Set when a quota (open tunnels, services per tunnel) refused the request.</summary>
    public string? LimitExceeded { get; init; }
}
