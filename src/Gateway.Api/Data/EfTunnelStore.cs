using System.Text.Json;
using Gateway.Engine.Relay;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Data;

/// <summary>The relay's <see cref="ITunnelStore"/> on the gateway database.</summary>
internal sealed class EfTunnelStore(IDbContextFactory<GatewayDbContext> contexts) : ITunnelStore
{
    public async Task<IReadOnlyList<TunnelRecord>> LoadAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.RelayTunnels.AsNoTracking().ToListAsync(cancellationToken);
        return [.. rows.Select(ToRecord)];
    }

    public async Task SaveAsync(TunnelRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.RelayTunnels.FindAsync([record.Id], cancellationToken);
        if (row is null)
        {
            row = new RelayTunnelEntity
            {
                Id = record.Id,
                State = record.State.ToString(),
                SourceTokenHash = record.Source.AccessTokenHash,
                DestinationTokenHash = record.Destination.AccessTokenHash,
            };
            db.RelayTunnels.Add(row);
        }

        Apply(record, row);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.RelayTunnels.Where(t => t.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    private static void Apply(TunnelRecord record, RelayTunnelEntity row)
    {
        row.Description = record.Description;
        row.ThingName = record.ThingName;
        row.TagsJson = record.Tags.Count == 0 ? null : JsonSerializer.Serialize(record.Tags.Select(t => new StoredTag(t.Key, t.Value)));
        row.LastUpdatedAt = record.LastUpdatedAt;
        row.SourceConnectionChangedAt = record.Source.ConnectionChangedAt;
        row.DestinationConnectionChangedAt = record.Destination.ConnectionChangedAt;
        row.Services = [.. record.Services];
        row.CreatedAt = record.CreatedAt;
        row.ExpiresAt = record.ExpiresAt;
        row.State = record.State.ToString();
        row.EndedAt = record.EndedAt;
        row.EndReason = record.EndReason;
        row.SourceTokenHash = record.Source.AccessTokenHash;
        row.SourceTokenUsed = record.Source.Used;
        row.SourceClientTokenHash = record.Source.ClientTokenHash;
        row.DestinationTokenHash = record.Destination.AccessTokenHash;
        row.DestinationTokenUsed = record.Destination.Used;
        row.DestinationClientTokenHash = record.Destination.ClientTokenHash;
        row.BytesSourceToDestination = record.BytesSourceToDestination;
        row.BytesDestinationToSource = record.BytesDestinationToSource;
    }

    private static TunnelRecord ToRecord(RelayTunnelEntity row) => new()
    {
        Id = row.Id,
        Description = row.Description,
        ThingName = row.ThingName,
        Tags = ReadTags(row.TagsJson),
        LastUpdatedAt = row.LastUpdatedAt,
        Services = row.Services,
        CreatedAt = row.CreatedAt,
        ExpiresAt = row.ExpiresAt,
        State = Enum.TryParse<RelayTunnelState>(row.State, out var state) ? state : RelayTunnelState.Closed,
        EndedAt = row.EndedAt,
        EndReason = row.EndReason,
        Source = new TunnelEndRecord(row.SourceTokenHash, row.SourceTokenUsed, row.SourceClientTokenHash, row.SourceConnectionChangedAt),
        Destination = new TunnelEndRecord(row.DestinationTokenHash, row.DestinationTokenUsed, row.DestinationClientTokenHash, row.DestinationConnectionChangedAt),
        BytesSourceToDestination = row.BytesSourceToDestination,
        BytesDestinationToSource = row.BytesDestinationToSource,
    };

    private static IReadOnlyList<TunnelTag> ReadTags(string? json) =>
        string.IsNullOrEmpty(json) ? [] : [.. (JsonSerializer.Deserialize<List<StoredTag>>(json) ?? []).Select(t => new TunnelTag(t.Key, t.Value))];

    private sealed record StoredTag(string Key, string Value);
}
