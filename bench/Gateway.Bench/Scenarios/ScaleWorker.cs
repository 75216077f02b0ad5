using System.Diagnostics;
using System.Text.Json;
using Gateway.Bench.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// The figure-5 worker process: reads N token pairs from stdin, starts N destination and N source
/// sessions on one SessionManager (the gateway's engine), waits until all are connected, then
/// measures memory and idle CPU, and prints one <c>RESULT {json}</c> line.
/// </summary>
internal static class ScaleWorker
{
    private const int FirstSourcePort = 20000;

    public static async Task<int> RunAsync(ScaleWorkerArgs args)
    {
        var pairs = new List<(string Source, string Destination)>();
        while (pairs.Count < args.Count && Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            pairs.Add((parts[0], parts[1]));
        }

        if (pairs.Count != args.Count)
        {
            Console.Error.WriteLine($"scale worker: got {pairs.Count} token pairs, expected {args.Count}");
            return 1;
        }

        // Destinations are never asked to connect (idle): any address will do.
        using var unused = Loopback.Listen(1);
        var settings = ProxySettings.Default;
        await using var sessions = new SessionManager(TimeProvider.System, NullLoggerFactory.Instance);
        long heapBefore = ProcessStats.ManagedHeapAfterFullGc();
        long rssBefore = ProcessStats.OwnRssBytes();
        long relayBefore = ProcessStats.RssBytes(args.RelayPid);

        var clock = Stopwatch.StartNew();
        var ids = new List<string>(2 * args.Count);
        int port = FirstSourcePort;
        foreach (var (source, destination) in pairs)
        {
            ids.Add(Start(sessions, Spec(args, SessionMode.Destination, destination, $"bench=127.0.0.1:{Loopback.Port(unused)}", settings)));
            while (true)
            {
                var started = sessions.Start(Spec(args, SessionMode.Source, source, $"bench={port++}", settings));
                if (started.Started)
                {
                    ids.Add(started.Session!.Id);
                    break;
                }

                if (!started.IsConflict || port > 60000)
                {
                    throw new BenchFailureException("source: " + string.Join("; ", started.Errors.Select(e => e.Message)));
                }
            }
        }

        await SessionWaiter.WaitConnectedAsync(sessions, ids, TimeSpan.FromMinutes(5));
        double connectSeconds = clock.Elapsed.TotalSeconds;

        // Let the last handshakes' garbage go, then measure the steady state.
        await Task.Delay(TimeSpan.FromSeconds(3));
        long heapAfter = ProcessStats.ManagedHeapAfterFullGc();
        long rssAfter = ProcessStats.OwnRssBytes();
        long relayAfter = ProcessStats.RssBytes(args.RelayPid);

        var ownCpu = ProcessStats.CpuTime(Environment.ProcessId);
        var relayCpu = ProcessStats.CpuTime(args.RelayPid);
        var idle = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(args.IdleSeconds));
        double seconds = idle.Elapsed.TotalSeconds;
        double ownPercent = 100 * (ProcessStats.CpuTime(Environment.ProcessId) - ownCpu).TotalSeconds / seconds;
        double relayPercent = 100 * (ProcessStats.CpuTime(args.RelayPid) - relayCpu).TotalSeconds / seconds;
        int connected = sessions.List().Count(s => s.State == SessionState.Connected);
        if (connected != ids.Count)
        {
            Console.Error.WriteLine($"scale worker: {ids.Count - connected} session(s) dropped while idle");
            return 1;
        }

        var result = new ScaleResult(connectSeconds, rssAfter - rssBefore, heapAfter - heapBefore, relayAfter - relayBefore, ownPercent, relayPercent, seconds);
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result, ScaleResult.Json));
        await sessions.StopAllAsync();
        return 0;
    }

    private static string Start(SessionManager sessions, SessionSpec spec)
    {
        var started = sessions.Start(spec);
        return started.Started ? started.Session!.Id : throw new BenchFailureException(string.Join("; ", started.Errors.Select(e => e.Message)));
    }

    private static SessionSpec Spec(ScaleWorkerArgs args, SessionMode mode, string token, string services, ProxySettings settings) => new()
    {
        Mode = mode,
        Endpoint = args.Endpoint,
        AccessToken = token,
        Services = services,
        CaPath = args.CaDirectory,
        BindAddress = mode == SessionMode.Source ? "127.0.0.1" : null,
        Settings = settings,
    };
}
