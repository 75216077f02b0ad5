using System.Collections.Concurrent;

namespace Gateway.Engine.Relay;

/// <summary>A store that forgets everything on restart; the default when the host registers none.</summary>
internal sealed class InMemoryTunnelStore : ITunnelStore
{
    private readonly ConcurrentDictionary<string, TunnelRecord> _records = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<TunnelRecord>> LoadAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TunnelRecord>>([.. _records.Values]);

    public Task SaveAsync(TunnelRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _records[record.Id] = record;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        _records.TryRemove(id, out _);
        return Task.CompletedTask;
    }
}
