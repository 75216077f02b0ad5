using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 3: 8 services x 8 connections in one tunnel (WSS), all pushing at once to one sink;
/// aggregate MB/s and the spread of per-connection rates (each connection's bytes over the time
/// until its last byte arrived).
/// </summary>
internal static class ManyStreams
{
    private const int Services = 8;
    private const int PerService = 8;

    public static async Task RunAsync(BenchContext context)
    {
        using var sink = Loopback.Listen();
        int sinkPort = Loopback.Port(sink);
        var services = Enumerable.Range(1, Services).Select(i => ($"svc{i}", sinkPort)).ToList();
        var pair = await context.Gateway.StartPairAsync(services, tls: true, context.Settings);
        try
        {
            long perConnection = context.Options.ManyStreamsBytesPerConnection;
            int count = Services * PerService;
            var ct = context.Cancellation;
            var sinks = Enumerable.Range(0, count).Select(async _ =>
            {
                using var receiver = await sink.AcceptAsync(ct);
                return await Loopback.SinkAsync(receiver, perConnection, seed: 0, ct, bufferSize: 256 * 1024);
            }).ToList();
            var clients = new List<Socket>();
            try
            {
                foreach (int port in pair.SourcePorts)
                {
                    for (int c = 0; c < PerService; c++)
                    {
                        clients.Add(await Loopback.ConnectAsync(port, ct));
                    }
                }

                long start = Stopwatch.GetTimestamp();
                var sends = clients.Select(c => Loopback.SendPatternAsync(c, perConnection, seed: 0, ct, chunk: 256 * 1024)).ToList();
                var results = await Task.WhenAll(sinks).WaitAsync(TimeSpan.FromMinutes(5), ct);
                await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30), ct);
                BenchContext.Require(results.All(r => r.Intact), $"{results.Count(r => !r.Intact)} of {count} connections lost or corrupted bytes");
                var rates = results.Select(r => perConnection / Stopwatch.GetElapsedTime(start, r.FinishedAt).TotalSeconds / 1e6).Order().ToArray();
                double aggregate = count * perConnection / Stopwatch.GetElapsedTime(start, results.Max(r => r.FinishedAt)).TotalSeconds / 1e6;
                double jain = Math.Pow(rates.Sum(), 2) / (rates.Length * rates.Sum(r => r * r));
                var table = context.Table;
                table.Add(new ResultRow(3, BenchContext.InProcess, $"8 services x 8 connections, aggregate (WSS)", aggregate, "MB/s", $"{context.Ratio(aggregate)}; {count} x {perConnection >> 10} KiB, all verified"));
                table.Add(new ResultRow(3, BenchContext.InProcess, "per-connection rate, min", rates[0], "MB/s"));
                table.Add(new ResultRow(3, BenchContext.InProcess, "per-connection rate, max", rates[^1], "MB/s"));
                table.Add(new ResultRow(3, BenchContext.InProcess, "fairness min/max", rates[0] / rates[^1], "ratio", $"Jain's index {jain:0.000} (1 = perfectly even)"));
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }
        }
        finally
        {
            await context.Gateway.StopPairAsync(pair);
        }
    }
}
