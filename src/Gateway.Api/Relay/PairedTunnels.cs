using Gateway.Api.Data;
using Gateway.Engine.Relay;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Relay;

/// <summary>
/// Relay tunnels whose two ends are sessions of this gateway (<see cref="RelayPairing"/>). Their tokens
/// live only in those sessions, so once the gateway stopped (or crashed) no end can ever connect again:
/// at the next start they are closed instead of staying open until they expire.
/// </summary>
internal sealed partial class PairedTunnels(IDbContextFactory<GatewayDbContext> contexts, TunnelRelay relay, ILogger<PairedTunnels> logger)
{
    /// <summary>Records that the tunnel's ends are started here (before they start, so a crash meanwhile counts).</summary>
    public async Task MarkAsync(string tunnelId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.RelayTunnels.Where(t => t.Id == tunnelId).ExecuteUpdateAsync(s => s.SetProperty(t => t.PairedHere, true), cancellationToken);
    }

    /// <summary>At start, after the relay loaded its tunnels: closes the open tunnels the previous run paired.</summary>
    public async Task CloseLeftOverAsync(CancellationToken cancellationToken)
    {
        List<string> ids;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            string open = RelayTunnelState.Open.ToString();
            ids = await db.RelayTunnels.Where(t => t.PairedHere && t.State == open).Select(t => t.Id).ToListAsync(cancellationToken);
        }

        foreach (string id in ids)
        {
            await relay.CloseAsync(id, cancellationToken);
        }

        if (ids.Count > 0)
        {
            Log.ClosedLeftOver(logger, ids.Count, string.Join(", ", ids));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3605, Level = LogLevel.Information, Message = "Closed {Count} relay tunnel(s) whose ends ran on this gateway before it stopped: {TunnelIds}")]
        public static partial void ClosedLeftOver(ILogger logger, int count, string tunnelIds);
    }
}
