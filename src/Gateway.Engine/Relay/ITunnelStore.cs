namespace Gateway.Engine.Relay;

/// <summary>
/// Durable storage for relay tunnels, implemented by the host (EF Core in Gateway.Api). The relay
/// calls <see cref="SaveAsync"/> before it answers a handshake that burns a token, so a restart
/// never forgets a token that was used.
/// </summary>
public interface ITunnelStore
{
    /// <summary>Every stored tunnel, open or ended, read once when the relay starts (<see cref="TunnelRelay.InitializeAsync"/>).</summary>
    Task<IReadOnlyList<TunnelRecord>> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the record with the same <see cref="TunnelRecord.Id"/>.</summary>
    Task SaveAsync(TunnelRecord record, CancellationToken cancellationToken);

    /// <summary>Removes the record; no error when there is none.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);
}
