using System.Diagnostics;
using System.Runtime.InteropServices;
using Gateway.Bench.Infrastructure;
using Gateway.Bench.Scenarios;

namespace Gateway.Bench;

/// <summary>Runs the selected figures in order against one in-process gateway, then writes the results.</summary>
internal static class BenchRun
{
    public static async Task<int> RunAsync(BenchOptions options, string command)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var table = new ResultTable();
        using var deadline = new CancellationTokenSource(options.Smoke ? TimeSpan.FromMinutes(5) : TimeSpan.FromMinutes(60));
        bool completed = false;
        string? failure = null;
        Console.WriteLine($"Gateway.Bench{(options.Smoke ? " (smoke)" : string.Empty)}: figures {string.Join(",", options.Figures.Order())}, {Machine()}");
        try
        {
            await using (var gateway = await BenchGateway.StartAsync())
            {
                var context = new BenchContext(options, table, gateway, deadline.Token);
                await Step(context, [1, 2], "one stream", OneStream.RunAsync);
                await Step(context, [3], "many streams", ManyStreams.RunAsync);
                await Step(context, [4], "latency", Latency.RunAsync);
                await Step(context, [6], "connections", Connections.RunAsync);
                await Step(context, [7], "slow consumer", SlowConsumer.RunAsync);
                if (options.Processes)
                {
                    await Step(context, [2, 4], "separate localproxy processes", ProcessChain.RunAsync);
                    await Step(context, [2, 4], "the reference proxy's processes", ReferenceChain.RunAsync);
                }

                await Step(context, [9], "an interactive connection beside a bulk one", Fairness.RunAsync);
                await Step(context, [10], "bandwidth caps", Limits.RunAsync);
                await Step(context, [11], "footprint of one tunnel end (release builds, reference)", Footprint.RunAsync);
                await Step(context, [8], "AWS management API", ManagementApi.RunAsync);
                await Step(context, [5], "scale", Scale.RunAsync);
                await Step(context, [12], "agents: MQTT tunnel notifications for many things", Agents.RunAsync);
            }

            completed = true;
        }
        catch (Exception ex) when (ex is BenchFailureException or TimeoutException or OperationCanceledException or InvalidOperationException or IOException or System.Net.Sockets.SocketException or HttpRequestException)
        {
            failure = ex is OperationCanceledException ? "the run exceeded its time bound" : ex.Message;
            Console.Error.WriteLine($"FAILED: {failure}");
        }

        var info = new RunInfo(started, command, Machine(), RuntimeInformation.FrameworkDescription, clock.Elapsed.TotalSeconds, options.Smoke, completed);
        var directory = options.OutputDirectory ?? Paths.DefaultResults;
        Directory.CreateDirectory(directory);
        string stem = (options.Smoke ? "smoke-" : "run-") + started.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(directory, stem + ".json"), table.ToJson(info));
        await File.WriteAllTextAsync(Path.Combine(directory, stem + ".md"), table.ToMarkdown(info));
        Console.WriteLine();
        Console.WriteLine(table.ToText());
        Console.WriteLine($"results: {Path.Combine(directory, stem)}.json and .md ({clock.Elapsed.TotalSeconds:0} s){(completed ? string.Empty : "; INCOMPLETE: " + failure)}");
        return completed ? 0 : 1;
    }

    private static async Task Step(BenchContext context, int[] figures, string name, Func<BenchContext, Task> run)
    {
        if (!figures.Any(context.Options.Figures.Contains))
        {
            return;
        }

        Console.WriteLine($"-- {name}");
        await run(context);
    }

    public static string Machine()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        return $"{Environment.ProcessorCount} cores ({cpu}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30} GiB, {RuntimeInformation.OSDescription}";
    }
}
