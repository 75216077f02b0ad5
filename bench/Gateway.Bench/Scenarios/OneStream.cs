using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figures 1 and 2: raw loopback TCP (the ceiling), then one stream through source, relay and
/// destination in this process, over WSS and over plain WS.
/// </summary>
internal static class OneStream
{
    public static async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        using var sink = Loopback.Listen();
        if (options.Figures.Contains(1) || context.LoopbackMBps is null)
        {
            var raw = await MedianAsync(3, () => Streams.PushAsync(Loopback.Port(sink), sink, options.StreamBytes, context.Cancellation));
            context.LoopbackMBps = raw.Median;
            context.Table.Add(new ResultRow(1, "driver", "raw loopback TCP, one stream", raw.Median, "MB/s", $"median of 3 x {options.StreamBytes >> 20} MiB ({raw.Min:0}-{raw.Max:0})"));
        }

        if (!options.Figures.Contains(2))
        {
            return;
        }

        foreach (bool tls in new[] { true, false })
        {
            var pair = await context.Gateway.StartPairAsync([("bench", Loopback.Port(sink))], tls, context.Settings);
            try
            {
                int runs = tls ? options.Runs : 1;
                long before = ProcessStats.OwnRssBytes();
                await using var sampler = new RssSampler(Environment.ProcessId);
                var cpuBefore = ProcessStats.CpuTime(Environment.ProcessId);
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var wall = System.Diagnostics.Stopwatch.StartNew();
                var stream = await MedianAsync(runs, () => Streams.PushAsync(pair.SourcePorts[0], sink, options.StreamBytes, context.Cancellation));
                string label = tls ? "WSS" : "WS (no TLS)";
                string spread = runs > 1 ? $"; median of {runs} runs, all bytes verified ({stream.Min:0}-{stream.Max:0})" : "; all bytes verified";
                double cores = (ProcessStats.CpuTime(Environment.ProcessId) - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds;
                double frames = (double)runs * options.StreamBytes / Gateway.Engine.Protocol.TunnelMessages.MaxPayloadSize;
                double allocatedPerFrame = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / frames;
                context.Table.Add(new ResultRow(2, BenchContext.InProcess, $"one stream {options.StreamBytes >> 20} MiB, {label}", stream.Median, "MB/s", context.Ratio(stream.Median) + spread));
                context.Table.Add(new ResultRow(2, BenchContext.InProcess, $"one stream {label}: CPU busy", cores, "cores", $"of {Environment.ProcessorCount}; whole process: sender, sink, source, relay, destination"));
                context.Table.Add(new ResultRow(2, BenchContext.InProcess, $"one stream {label}: managed allocation per DATA frame", allocatedPerFrame, "bytes", "whole process (engine, relay, Kestrel, TLS, driver) / frames of 64512 bytes"));
                if (tls)
                {
                    context.Table.Add(new ResultRow(2, BenchContext.InProcess, "one stream WSS: peak RSS growth (whole gateway)", (sampler.Peak(0) - before) / 1048576.0, "MiB", "source + relay + destination in one process"));
                }
            }
            finally
            {
                await context.Gateway.StopPairAsync(pair);
            }
        }
    }

    internal static async Task<(double Median, double Min, double Max)> MedianAsync(int runs, Func<Task<double>> run)
    {
        var values = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            values.Add(await run());
        }

        values.Sort();
        return (values[values.Count / 2], values[0], values[^1]);
    }
}
