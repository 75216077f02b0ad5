using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 6: 1,000 TCP connections opened at once through one tunnel (max_active_connections
/// raised to 1,100), each sending 64 KiB of its own pattern to an echo server and verifying the
/// 64 KiB that come back.
/// </summary>
internal static class Connections
{
    private const int Bytes = 64 * 1024;

    public static async Task RunAsync(BenchContext context)
    {
        int count = context.Options.Connections;
        using var echo = new EchoServer(threadPerConnection: false);
        var settings = context.Settings with { TcpMaxActiveConnections = count + 100 };
        var pair = await context.Gateway.StartPairAsync([("echo", echo.Port)], tls: true, settings);
        try
        {
            var ct = context.Cancellation;
            long start = Stopwatch.GetTimestamp();
            var outcomes = await Task.WhenAll(Enumerable.Range(0, count).Select(i => RoundTripAsync(pair.SourcePorts[0], i, ct)))
                .WaitAsync(TimeSpan.FromMinutes(3), ct);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var failures = outcomes.Where(o => o is not null).ToList();
            BenchContext.Require(failures.Count == 0, $"{failures.Count} of {count} connections failed, e.g. {failures.FirstOrDefault()}");
            context.Table.Add(new ResultRow(6, BenchContext.InProcess, $"{count} simultaneous connections x 64 KiB echo, time", seconds, "s", $"all {count} verified, 0 refused, 0 errors"));
            context.Table.Add(new ResultRow(6, BenchContext.InProcess, "connections: payload moved", 2.0 * count * Bytes / seconds / 1e6, "MB/s", "both directions"));
        }
        finally
        {
            await context.Gateway.StopPairAsync(pair);
        }
    }

    /// <summary>Null on success, else what went wrong.</summary>
    private static async Task<string?> RoundTripAsync(int port, int seed, CancellationToken ct)
    {
        try
        {
            using var socket = await Loopback.ConnectAsync(port, ct);
            var send = Loopback.SendPatternAsync(socket, Bytes, seed, ct, finish: false);
            var result = await Loopback.SinkAsync(socket, Bytes, seed, ct, bufferSize: 16 * 1024);
            await send;
            return result.Intact ? null : $"connection {seed}: {result.Bytes} of {Bytes} bytes came back{(result.Bytes == Bytes ? ", not matching" : string.Empty)}";
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return $"connection {seed}: {ex.Message}";
        }
    }
}
