using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>One TCP stream from a sender to a verifying sink, through whatever listens on the given port.</summary>
internal static class Streams
{
    /// <summary>Sends <paramref name="total"/> bytes to <paramref name="port"/>; the sink behind it accepts on <paramref name="sink"/>. Returns MB/s.</summary>
    public static async Task<double> PushAsync(int port, Socket sink, long total, CancellationToken cancellationToken, double sinkRate = 0)
    {
        var accept = sink.AcceptAsync(cancellationToken).AsTask();
        using var client = await Loopback.ConnectAsync(port, cancellationToken);
        long start = Stopwatch.GetTimestamp();
        var send = Loopback.SendPatternAsync(client, total, seed: 0, cancellationToken);
        using var receiver = await accept.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var result = await Loopback.SinkAsync(receiver, total, seed: 0, cancellationToken, sinkRate);
        await send.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        BenchContext.Require(result.Intact, $"the sink got {result.Bytes} of {total} bytes{(result.Bytes == total ? " but they did not match what was sent" : string.Empty)}");
        return total / Stopwatch.GetElapsedTime(start, result.FinishedAt).TotalSeconds / 1e6;
    }
}
