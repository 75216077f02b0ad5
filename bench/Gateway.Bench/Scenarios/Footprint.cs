using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 11, the footprint of one tunnel end on a small device (docs/performance.md): for the Native
/// AOT and the single-file release builds of localproxy (build/publish-localproxy.sh) and the
/// reference C++ proxy, in the same run through this process's relay over WSS: binary size, start-up
/// (process start to "listening" for a source whose destination is connected, median of runs, and
/// to the end of <c>-V</c>), idle RSS of both ends, and their peak RSS while one stream moves as
/// fast as the chain goes (about 250-300 MB/s on the machine of docs/performance.md).
/// </summary>
internal static partial class Footprint
{
    private const int StartRuns = 5;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(BenchContext context)
    {
        string release = context.Options.ReleaseDirectory ?? Path.Combine(Paths.RepositoryRoot, "artifacts", "localproxy");
        var variants = new (string Name, string Program, bool Reference)[]
        {
            ("native AOT localproxy", ReleaseBinary(release, "linux-x64-aot"), false),
            ("single-file localproxy", ReleaseBinary(release, "linux-x64"), false),
            ("reference localproxy", Paths.ReferenceProxy, true),
        };
        foreach (var (name, program, reference) in variants)
        {
            await MeasureAsync(context, name, program, reference);
        }
    }

    private static async Task MeasureAsync(BenchContext context, string name, string program, bool reference)
    {
        var table = context.Table;
        var gateway = context.Gateway;
        table.Add(new ResultRow(11, BenchContext.Processes, $"binary size, {name}", new FileInfo(program).Length / 1048576.0, "MiB", program));
        table.Add(new ResultRow(11, BenchContext.Processes, $"start-up to the end of -V, {name}", await MedianMsAsync(() => VersionRunAsync(program)), "ms", $"median of {StartRuns} runs"));

        using var sink = Loopback.Listen();
        var tunnel = await gateway.CreateTunnelAsync("bench");
        // The reference takes host:port (TLS implied), ours a URL; both the relay's CA directory.
        string[] common = ["-e", reference ? $"127.0.0.1:{gateway.HttpsPort}" : gateway.Endpoint(tls: true), "-c", gateway.CaDirectory, "-v", "4"];
        int streamPort = BenchGateway.FreePort();
        // One client token for every start: the relay (like the service) accepts a used access token
        // again only with the client token it was first used with.
        string[] sourceArgs = ["-s", $"bench={streamPort}", "-b", "127.0.0.1", "-i", Guid.NewGuid().ToString("N"), .. common];
        var sourceToken = new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken };
        await using var destination = new ChildProcess(program, ["-d", $"bench=127.0.0.1:{Loopback.Port(sink)}", .. common], new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await destination.WaitForLineAsync(Connected(), Bound);

        // Start-up: a source started, timed until it listens, stopped; the last one stays for the rest.
        var listening = new Regex($"Listening for new connection on port {streamPort}\\b");
        var startups = new List<double>();
        ChildProcess? source = null;
        try
        {
            for (int run = 0; run < StartRuns; run++)
            {
                if (source is not null)
                {
                    await source.DisposeAsync();
                }

                var clock = Stopwatch.StartNew();
                source = new ChildProcess(program, sourceArgs, sourceToken);
                await source.WaitForLineAsync(listening, Bound);
                startups.Add(clock.Elapsed.TotalMilliseconds);
            }

            table.Add(new ResultRow(11, BenchContext.Processes, $"start-up to listening (source), {name}", Median(startups), "ms", $"process start to its listening line, destination connected; median of {StartRuns} ({startups.Min():0}-{startups.Max():0})"));

            // Idle: connected and listening, nothing carried yet; a second for start-up work to end.
            await Task.Delay(TimeSpan.FromSeconds(1), context.Cancellation);
            long sourceIdle = ProcessStats.RssBytes(source!.Pid);
            long destinationIdle = ProcessStats.RssBytes(destination.Pid);
            table.Add(new ResultRow(11, BenchContext.Processes, $"idle RSS, source {name}", sourceIdle / 1048576.0, "MiB", "connected, listening, no connection yet"));
            table.Add(new ResultRow(11, BenchContext.Processes, $"idle RSS, destination {name}", destinationIdle / 1048576.0, "MiB", "connected, no connection yet"));

            await using var sampler = new RssSampler(source.Pid, destination.Pid);
            double mbps = await Streams.PushAsync(streamPort, sink, context.Options.StreamBytes, context.Cancellation);
            BenchContext.Require(!source.HasExited && !destination.HasExited, $"a {name} process exited during the stream");
            table.Add(new ResultRow(11, BenchContext.Processes, $"one stream {context.Options.StreamBytes >> 20} MiB, {name}", mbps, "MB/s", "the rate the peak RSS below was seen at"));
            table.Add(new ResultRow(11, BenchContext.Processes, $"peak RSS under load, source {name}", sampler.Peak(0) / 1048576.0, "MiB", $"{(double)sampler.Peak(0) / sourceIdle:0.00}x its idle"));
            table.Add(new ResultRow(11, BenchContext.Processes, $"peak RSS under load, destination {name}", sampler.Peak(1) / 1048576.0, "MiB", $"{(double)sampler.Peak(1) / destinationIdle:0.00}x its idle"));
        }
        finally
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }
        }

        await gateway.Relay.CloseAsync(tunnel.Tunnel.Id, CancellationToken.None);
    }

    private static string ReleaseBinary(string release, string name)
    {
        var path = Path.Combine(release, "dist", name, "localproxy");
        return File.Exists(path)
            ? path
            : throw new BenchFailureException($"{path} is missing: build it first with build/publish-localproxy.sh --rid linux-x64 --aot linux-x64{(release == Path.Combine(Paths.RepositoryRoot, "artifacts", "localproxy") ? string.Empty : " --out " + release)}");
    }

    private static async Task<double> VersionRunAsync(string program)
    {
        var clock = Stopwatch.StartNew();
        await using var process = new ChildProcess(program, ["-V"], new Dictionary<string, string>());
        int code = await process.WaitForExitAsync(Bound);
        double ms = clock.Elapsed.TotalMilliseconds;
        BenchContext.Require(code == 0, $"{program} -V exited {code}");
        return ms;
    }

    private static async Task<double> MedianMsAsync(Func<Task<double>> run)
    {
        var samples = new List<double>();
        for (int i = 0; i < StartRuns; i++)
        {
            samples.Add(await run());
        }

        return Median(samples);
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    [GeneratedRegex(@"Successfully established websocket connection")]
    private static partial Regex Connected();
}
