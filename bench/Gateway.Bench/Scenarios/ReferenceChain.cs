using System.Text.RegularExpressions;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figures 2 and 4 for the reference C++ proxy (../shared/reference/localproxy/localproxy): its
/// source and destination as two processes through this process's relay over WSS, the same stream,
/// sink and echo as <see cref="ProcessChain"/>: one stream with the ratio of ours to it, the source
/// process's CPU per GB, each process's idle RSS, and 64-byte echo latency.
/// </summary>
internal static partial class ReferenceChain
{
    public static async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        var gateway = context.Gateway;
        using var sink = Loopback.Listen();
        using var echo = new EchoServer(threadPerConnection: true);
        var tunnel = await gateway.CreateTunnelAsync("bench", "echo");
        int streamPort = BenchGateway.FreePort();
        int echoPort = BenchGateway.FreePort();
        // The reference takes host:port (TLS implied), not a URL.
        var common = new[] { "-e", $"127.0.0.1:{gateway.HttpsPort}", "-c", gateway.CaDirectory, "-v", "4" };
        await using var destination = new ChildProcess(Paths.ReferenceProxy,
            ["-d", $"bench=127.0.0.1:{Loopback.Port(sink)},echo=127.0.0.1:{echo.Port}", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await using var source = new ChildProcess(Paths.ReferenceProxy,
            ["-s", $"bench={streamPort},echo={echoPort}", "-b", "127.0.0.1", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
        await destination.WaitForLineAsync(Connected(), TimeSpan.FromSeconds(60));
        await source.WaitForLineAsync(new Regex($"Listening for new connection on port {streamPort}\\b"), TimeSpan.FromSeconds(60));
        await source.WaitForLineAsync(new Regex($"Listening for new connection on port {echoPort}\\b"), TimeSpan.FromSeconds(60));
        context.Table.Add(new ResultRow(2, BenchContext.Processes, "idle RSS, source reference localproxy", ProcessStats.RssBytes(source.Pid) / 1048576.0, "MiB", "connected, listening, no connection yet"));
        context.Table.Add(new ResultRow(2, BenchContext.Processes, "idle RSS, destination reference localproxy", ProcessStats.RssBytes(destination.Pid) / 1048576.0, "MiB", "connected, no connection yet"));

        string what = $"one stream {options.StreamBytes >> 20} MiB, WSS, two reference localproxy";
        try
        {
            var cpuBefore = ProcessStats.CpuTime(source.Pid);
            var stream = await OneStream.MedianAsync(options.Runs, () => Streams.PushAsync(streamPort, sink, options.StreamBytes, context.Cancellation));
            double perGb = (ProcessStats.CpuTime(source.Pid) - cpuBefore).TotalSeconds / (options.Runs * options.StreamBytes / 1e9);
            BenchContext.Require(!source.HasExited && !destination.HasExited, "a reference process exited during the stream runs");
            string ratio = context.ProcessChainMBps is { } ours ? $"ours (two localproxy) / reference = {ours / stream.Median:0.00}" : string.Empty;
            string spread = options.Runs > 1 ? $"; median of {options.Runs} runs ({stream.Min:0}-{stream.Max:0})" : string.Empty;
            context.Table.Add(new ResultRow(2, BenchContext.Processes, what, stream.Median, "MB/s", ratio + spread));
            context.Table.Add(new ResultRow(2, BenchContext.Processes, "one stream: CPU of the source reference localproxy", perGb, "core-s/GB", "user + system time of the process, /proc"));
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // The reference dies now and then under a sustained stream (docs/protocol.md 17): a result
            // too, once its exit is seen (bounded); any other failure fails the run.
            await Task.WhenAny(source.WaitForExitAsync(TimeSpan.FromSeconds(5)), destination.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            var died = source.HasExited ? source : destination.HasExited ? destination : throw new BenchFailureException($"the reference chain failed ({ex.Message}) and no reference process exited");
            string which = died == source ? "source" : "destination";
            context.Table.Add(new ResultRow(2, BenchContext.Processes, what, 0, "MB/s", $"the reference {which} exited during the run: {string.Join(" | ", died.Lines.TakeLast(2))}"));
            return;
        }

        var direct = Latency.Measure(echo.Port, options.LatencyRounds);
        var chain = Latency.Measure(echoPort, options.LatencyRounds);
        Latency.Report(context, BenchContext.Processes, "through two reference localproxy", chain, direct);
    }

    [GeneratedRegex(@"Successfully established websocket connection")]
    private static partial Regex Connected();
}
