using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 7: a fast sender pushes through the chain (WSS) to a sink that reads at 10 MB/s. The
/// tunnel's buffers are bounded, so the gateway's RSS must stay flat while the sender is held back.
/// </summary>
internal static class SlowConsumer
{
    /// <summary>
    /// What the data path may hold for one stream, by design: the source's send queue (16 DATA
    /// frames of at most 64.5 KiB), the relay's queue toward the destination (32 messages), the
    /// destination's tunnel-byte pipe and the connection's output pipe (128 KiB each, paused at
    /// that), and the receive buffers in flight. Kernel socket buffers are not RSS.
    /// </summary>
    public const double DesignBoundMiB = (16 + 32) * 64.5 / 1024 + 2 * 128.0 / 1024 + 1;

    public static async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        using var sink = Loopback.Listen();
        var pair = await context.Gateway.StartPairAsync([("slow", Loopback.Port(sink))], tls: true, context.Settings);
        try
        {
            var growth = new List<double>();
            var flat = new List<double>();
            var peaks = new List<double>();
            var rates = new List<double>();
            for (int run = 0; run < options.Runs; run++)
            {
                long before = ProcessStats.OwnRssBytes();
                var sampler = new RssSampler(Environment.ProcessId);
                await using (sampler)
                {
                    rates.Add(await Streams.PushAsync(pair.SourcePorts[0], sink, options.SlowBytes, context.Cancellation, options.SlowRate));
                }

                growth.Add((sampler.Peak(0) - before) / 1048576.0);
                flat.Add(sampler.GrowthAfterWarmUp() / 1048576.0);
                peaks.Add(sampler.Peak(0) / 1048576.0);
            }

            string runs = options.Runs > 1 ? $"{options.Runs} runs, worst shown" : "1 run";
            var table = context.Table;
            table.Add(new ResultRow(7, BenchContext.InProcess, $"slow consumer {options.SlowBytes >> 20} MiB at {options.SlowRate / 1e6:0} MB/s: peak RSS growth", growth.Max(), "MiB",
                $"{runs}; over the RSS before the transfer; design bound {DesignBoundMiB:0.0} MiB of queued data + GC slack; target < 32 MiB; all bytes verified"));
            table.Add(new ResultRow(7, BenchContext.InProcess, "slow consumer: growth after the first 10% of the transfer", flat.Max(), "MiB", "peak over the rest minus RSS at 10%: flat means about 0"));
            table.Add(new ResultRow(7, BenchContext.InProcess, "slow consumer: peak RSS of the whole gateway process", peaks.Max(), "MiB", "includes the driver and everything earlier figures left"));
            context.Table.Add(new ResultRow(7, BenchContext.InProcess, "slow consumer: delivered rate", rates.Min(), "MB/s", "the reader's pace"));
        }
        finally
        {
            await context.Gateway.StopPairAsync(pair);
        }
    }
}
