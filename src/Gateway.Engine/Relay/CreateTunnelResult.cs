namespace Gateway.Engine.Relay;

/// <summary>Either the created tunnel or, per field, what was wrong with the request.</summary>
public sealed record CreateTunnelResult(CreatedTunnel? Created, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Created is not null;
}
