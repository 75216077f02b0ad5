using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 10: the bandwidth caps of docs/sessions.md (Limits). A source session capped at
/// 10 MB/s toward the tunnel, one connection pushing as fast as it can for
/// <see cref="BenchOptions.LimitSeconds"/>: the rate the far end sees against the cap. Then 8
/// connections pushing at once under a 40 MB/s session cap: each one's rate, the spread and
/// Jain's index (1 = perfectly even).
/// </summary>
internal static class Limits
{
    public const int OneCap = 10_000_000;

    public const int SharedCap = 40_000_000;

    public const int SharedConnections = 8;

    public static async Task RunAsync(BenchContext context)
    {
        using var server = new Fairness.DualServer();
        var duration = TimeSpan.FromSeconds(context.Options.LimitSeconds);
        foreach (var (cap, connections) in new[] { (OneCap, 1), (SharedCap, SharedConnections) })
        {
            var settings = context.Settings with { SessionBandwidthToTunnel = cap };
            var pair = await context.Gateway.StartPairAsync([("bulk", server.Port)], tls: true, settings);
            try
            {
                var rates = await PushAsync(server, pair.SourcePorts[0], connections, duration, context.Cancellation);
                double total = rates.Sum();
                string capText = $"session cap {cap / 1e6:0} MB/s";
                if (connections == 1)
                {
                    context.Table.Add(new ResultRow(10, BenchContext.InProcess, $"one connection, {capText}", total, "MB/s", $"{100 * (total * 1e6 - cap) / cap:+0.0;-0.0}% off the cap over {duration.TotalSeconds:0} s (target within 5%)"));
                    continue;
                }

                double jain = total * total / (rates.Length * rates.Sum(r => r * r));
                context.Table.Add(new ResultRow(10, BenchContext.InProcess, $"{connections} connections, {capText}, aggregate", total, "MB/s", $"{100 * (total * 1e6 - cap) / cap:+0.0;-0.0}% off the cap"));
                context.Table.Add(new ResultRow(10, BenchContext.InProcess, "per-connection rate, min", rates.Min(), "MB/s", string.Empty));
                context.Table.Add(new ResultRow(10, BenchContext.InProcess, "per-connection rate, max", rates.Max(), "MB/s", string.Empty));
                context.Table.Add(new ResultRow(10, BenchContext.InProcess, "fairness min/max", rates.Min() / rates.Max(), "ratio", $"Jain's index {jain:0.000} (1 = perfectly even; target: within 10% of each other)"));
            }
            finally
            {
                await context.Gateway.StopPairAsync(pair);
            }
        }
    }

    /// <summary>
    /// <paramref name="connections"/> connections push at once for <paramref name="duration"/>;
    /// each one's rate is its bytes over the time from its first to its last byte at the far end.
    /// Every byte sent must arrive.
    /// </summary>
    private static async Task<double[]> PushAsync(Fairness.DualServer server, int port, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var received = Enumerable.Range(0, connections).Select(_ => server.NextBulk()).ToArray();
        var sent = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Fairness.SendBulkAsync(port, duration, cancellationToken)));
        var results = await Task.WhenAll(received).WaitAsync(duration + duration + TimeSpan.FromSeconds(30), cancellationToken);
        long expected = sent.Sum() + connections;
        BenchContext.Require(results.Sum(r => r.Bytes) == expected, $"the far end got {results.Sum(r => r.Bytes)} of {expected} bytes");
        return [.. results.Select(r => r.MBps)];
    }
}
