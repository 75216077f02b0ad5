using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 5: N idle tunnels, each a source and a destination session, in one worker process (a
/// fresh one per N, so each N starts from the same baseline), through a relay that is a separate
/// gateway process. Two processes because one holding both sides of 5,000 tunnels needs 25,000
/// file descriptors and this machine's hard limit is 20,000.
/// </summary>
internal static partial class Scale
{
    public static async Task RunAsync(BenchContext context)
    {
        foreach (int count in context.Options.ScaleCounts)
        {
            await RunOneAsync(context, count, tls: true);
        }

        // The same at the largest N over plain WS: how much of a session's memory is TLS state.
        await RunOneAsync(context, context.Options.ScaleCounts.Max(), tls: false);
    }

    private static async Task RunOneAsync(BenchContext context, int count, bool tls)
    {
        await using var relay = await GatewayProcess.StartAsync();
        var tokens = new (string Id, string Source, string Destination)[count];
        using (var gate = new SemaphoreSlim(4))
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync(context.Cancellation);
                try
                {
                    tokens[i] = await relay.CreateTunnelAsync("bench", context.Cancellation);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var worker = new ChildProcess(Paths.BenchDll,
            ["--scale-worker", count.ToString(CultureInfo.InvariantCulture), "--relay-pid", relay.Pid.ToString(CultureInfo.InvariantCulture),
             "--idle-seconds", context.Options.Smoke ? "2" : "20", "--endpoint", tls ? relay.WssEndpoint : relay.WsEndpoint, "--ca", relay.CaDirectory],
            new Dictionary<string, string>());
        await using (worker)
        {
            // Tokens go through stdin: never on a command line or on disk.
            foreach (var (_, source, destination) in tokens)
            {
                await worker.WriteLineAsync($"{source} {destination}");
            }

            worker.CloseInput();
            var line = await worker.WaitForLineAsync(ResultLine(), TimeSpan.FromMinutes(10));
            var result = JsonSerializer.Deserialize<ScaleResult>(line.Groups[1].Value, ScaleResult.Json)!;
            int exit = await worker.WaitForExitAsync(TimeSpan.FromMinutes(2));
            BenchContext.Require(exit == 0, $"the scale worker for N={count} exited with {exit}");
            Report(context, count, tls, result);
        }
    }

    private static void Report(BenchContext context, int count, bool tls, ScaleResult r)
    {
        const string Config = "sessions+relay";
        var table = context.Table;
        string n = tls ? count.ToString(CultureInfo.InvariantCulture) : $"{count} WS";
        table.Add(new ResultRow(5, Config, $"N={n}: connect all {2 * count} sessions", r.ConnectSeconds, "s", $"{count} tunnels, source+destination each, {(tls ? "WSS" : "plain WS, no TLS")}"));
        table.Add(new ResultRow(5, Config, $"N={n}: RSS per tunnel (both sessions)", r.SessionRssBytes / 1024.0 / count, "KiB", $"{r.SessionRssBytes / 2048.0 / count:0.0} KiB per session; target <= 64 KiB"));
        table.Add(new ResultRow(5, Config, $"N={n}: managed heap per tunnel (both sessions)", r.SessionHeapBytes / 1024.0 / count, "KiB", "after a full GC"));
        table.Add(new ResultRow(5, Config, $"N={n}: relay RSS per tunnel (two WebSockets)", r.RelayRssBytes / 1024.0 / count, "KiB", "the relay gateway process"));
        table.Add(new ResultRow(5, Config, $"N={n}: idle CPU, sessions process", r.SessionCpuPercent, "%", $"of one core over {r.IdleSeconds:0} s; pings every 20 s per session; target < 5%"));
        table.Add(new ResultRow(5, Config, $"N={n}: idle CPU, relay process", r.RelayCpuPercent, "%", "of one core, answering the pings"));
    }

    [GeneratedRegex(@"^RESULT (\{.*\})$")]
    private static partial Regex ResultLine();
}
