using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 4: 64-byte echo round trips, one at a time on a dedicated thread with blocking sockets,
/// directly to the echo server and through source, relay (WSS) and destination.
/// </summary>
internal static class Latency
{
    public const int MessageSize = 64;

    public static async Task RunAsync(BenchContext context)
    {
        using var echo = new EchoServer(threadPerConnection: true);
        var direct = Measure(echo.Port, context.Options.LatencyRounds);
        Report(context, BenchContext.InProcess, "direct loopback", direct, null);
        foreach (bool tls in new[] { true, false })
        {
            var pair = await context.Gateway.StartPairAsync([("echo", echo.Port)], tls, context.Settings);
            try
            {
                var chain = Measure(pair.SourcePorts[0], context.Options.LatencyRounds);
                Report(context, BenchContext.InProcess, tls ? "through the chain (WSS)" : "through the chain (WS, no TLS)", chain, direct);
            }
            finally
            {
                await context.Gateway.StopPairAsync(pair);
            }
        }
    }

    /// <summary>Round trips in microseconds, sorted; the first tenth (at least 100) warm up and are not counted.</summary>
    public static double[] Measure(int port, int rounds)
    {
        double[]? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = MeasureBlocking(port, rounds);
            }
            catch (Exception ex) when (ex is SocketException or BenchFailureException)
            {
                failure = ex;
            }
        })
        { IsBackground = true, Name = "latency" };
        thread.Start();
        if (!thread.Join(TimeSpan.FromMinutes(3)))
        {
            throw new BenchFailureException("the latency run did not finish within 3 minutes");
        }

        return result ?? throw new BenchFailureException("latency: " + failure?.Message);
    }

    public static void Report(BenchContext context, string configuration, string label, double[] sorted, double[]? baseline)
    {
        foreach (var p in new[] { 50.0, 99.0, 99.9 })
        {
            double value = Percentiles.Of(sorted, p);
            string note = baseline is null ? $"{sorted.Length} round trips of {MessageSize} bytes" : $"+{value - Percentiles.Of(baseline, p):0} us over direct";
            context.Table.Add(new ResultRow(4, configuration, $"64-byte echo {label}, p{p:0.#}", value, "us", note));
        }
    }

    private static double[] MeasureBlocking(int port, int rounds)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var message = Pattern.At(0, 7, MessageSize).ToArray();
        var reply = new byte[MessageSize];
        int warmup = Math.Max(100, rounds / 10);
        var samples = new double[rounds];
        for (int i = -warmup; i < rounds; i++)
        {
            long start = Stopwatch.GetTimestamp();
            socket.Send(message);
            int got = 0;
            while (got < MessageSize)
            {
                int n = socket.Receive(reply, got, MessageSize - got, SocketFlags.None);
                BenchContext.Require(n > 0, "the echo connection closed during the latency run");
                got += n;
            }

            long end = Stopwatch.GetTimestamp();
            BenchContext.Require(reply.AsSpan().SequenceEqual(message), "the echo reply differs from the request");
            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start, end).TotalMicroseconds;
            }
        }

        Array.Sort(samples);
        return samples;
    }
}
