using System.Text.RegularExpressions;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 2 for the reference C++ proxy (../shared/reference/localproxy/localproxy): its source and
/// destination as two processes through this process's relay over WSS, the same stream and sink as
/// <see cref="ProcessChain"/>, with the ratio of ours to it.
/// </summary>
internal static partial class ReferenceChain
{
    public static async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        var gateway = context.Gateway;
        using var sink = Loopback.Listen();
        var tunnel = await gateway.CreateTunnelAsync("bench");
        int streamPort = BenchGateway.FreePort();
        // The reference takes host:port (TLS implied), not a URL.
        var common = new[] { "-e", $"127.0.0.1:{gateway.HttpsPort}", "-c", gateway.CaDirectory, "-v", "4" };
        await using var destination = new ChildProcess(Paths.ReferenceProxy,
            ["-d", $"bench=127.0.0.1:{Loopback.Port(sink)}", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await using var source = new ChildProcess(Paths.ReferenceProxy,
            ["-s", $"bench={streamPort}", "-b", "127.0.0.1", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
        await destination.WaitForLineAsync(Connected(), TimeSpan.FromSeconds(60));
        await source.WaitForLineAsync(SourceListening(), TimeSpan.FromSeconds(60));

        string what = $"one stream {options.StreamBytes >> 20} MiB, WSS, two reference localproxy";
        try
        {
            var stream = await OneStream.MedianAsync(options.Runs, () => Streams.PushAsync(streamPort, sink, options.StreamBytes, context.Cancellation));
            BenchContext.Require(!source.HasExited && !destination.HasExited, "a reference process exited during the stream runs");
            string ratio = context.ProcessChainMBps is { } ours ? $"ours (two localproxy) / reference = {ours / stream.Median:0.00}" : string.Empty;
            string spread = options.Runs > 1 ? $"; median of {options.Runs} runs ({stream.Min:0}-{stream.Max:0})" : string.Empty;
            context.Table.Add(new ResultRow(2, BenchContext.Processes, what, stream.Median, "MB/s", ratio + spread));
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException && (source.HasExited || destination.HasExited))
        {
            // The reference dies now and then under a sustained stream (protocol.md 17): a result too.
            string died = source.HasExited ? "source" : "destination";
            context.Table.Add(new ResultRow(2, BenchContext.Processes, what, 0, "MB/s", $"the reference {died} exited during the run: {string.Join(" | ", (source.HasExited ? source : destination).Lines.TakeLast(2))}"));
        }
    }

    [GeneratedRegex(@"Successfully established websocket connection")]
    private static partial Regex Connected();

    [GeneratedRegex(@"Listening for new connection on port ")]
    private static partial Regex SourceListening();
}
