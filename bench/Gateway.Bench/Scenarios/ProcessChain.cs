using System.Text.RegularExpressions;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// The second configuration: the source and the destination as two `localproxy` processes (like
/// the reference: one process per tunnel end), through this process's relay over WSS. One
/// stream (figure 2) with each process's peak RSS, and 64-byte echo latency (figure 4).
/// </summary>
internal static partial class ProcessChain
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
        var common = new[] { "-e", gateway.Endpoint(tls: true), "-c", gateway.CaDirectory, "-v", "4" };
        await using var destination = new ChildProcess(Paths.LocalProxyDll,
            ["-d", $"bench=127.0.0.1:{Loopback.Port(sink)},echo=127.0.0.1:{echo.Port}", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await using var source = new ChildProcess(Paths.LocalProxyDll,
            ["-s", $"bench={streamPort},echo={echoPort}", "-b", "127.0.0.1", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
        await destination.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(60));
        await source.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(60));

        long sourceBefore = ProcessStats.RssBytes(source.Pid);
        long destinationBefore = ProcessStats.RssBytes(destination.Pid);
        await using (var sampler = new RssSampler(source.Pid, destination.Pid))
        {
            var cpuBefore = ProcessStats.CpuTime(source.Pid);
            var stream = await OneStream.MedianAsync(options.Runs, () => Streams.PushAsync(streamPort, sink, options.StreamBytes, context.Cancellation));
            double perGb = (ProcessStats.CpuTime(source.Pid) - cpuBefore).TotalSeconds / (options.Runs * options.StreamBytes / 1e9);
            context.ProcessChainMBps = stream.Median;
            BenchContext.Require(!source.HasExited && !destination.HasExited, "a localproxy process exited during the stream runs");
            string spread = options.Runs > 1 ? $"; median of {options.Runs} runs ({stream.Min:0}-{stream.Max:0}), no process exited" : string.Empty;
            context.Table.Add(new ResultRow(2, BenchContext.Processes, $"one stream {options.StreamBytes >> 20} MiB, WSS, two localproxy", stream.Median, "MB/s", context.Ratio(stream.Median) + spread));
            context.Table.Add(new ResultRow(2, BenchContext.Processes, "one stream: CPU of the source localproxy", perGb, "core-s/GB", "user + system time of the process, /proc"));
            context.Table.Add(new ResultRow(2, BenchContext.Processes, "peak RSS, source localproxy", sampler.Peak(0) / 1048576.0, "MiB", $"idle before: {sourceBefore / 1048576.0:0.0} MiB"));
            context.Table.Add(new ResultRow(2, BenchContext.Processes, "peak RSS, destination localproxy", sampler.Peak(1) / 1048576.0, "MiB", $"idle before: {destinationBefore / 1048576.0:0.0} MiB"));
        }

        var direct = Latency.Measure(echo.Port, options.LatencyRounds);
        var chain = Latency.Measure(echoPort, options.LatencyRounds);
        Latency.Report(context, BenchContext.Processes, "through two localproxy", chain, direct);
        await gateway.Relay.CloseAsync(tunnel.Tunnel.Id, CancellationToken.None);
        int sourceExit = await source.WaitForExitAsync(TimeSpan.FromSeconds(30));
        int destinationExit = await destination.WaitForExitAsync(TimeSpan.FromSeconds(30));
        BenchContext.Require(sourceExit == 0 && destinationExit == 0, $"localproxy exit codes after the tunnel closed: source {sourceExit}, destination {destinationExit} (0 expected)");
    }

    // Printed once SERVICE_IDS arrived and (source) the listeners accept.
    [GeneratedRegex("service ids from the tunnel: ")]
    private static partial Regex ReadyLine();
}
