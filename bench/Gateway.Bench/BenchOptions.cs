using System.Globalization;

namespace Gateway.Bench;

/// <summary>Command-line options of the load driver (see Usage).</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Gateway.Bench: end-to-end load driver (docs/performance.md). All traffic stays on 127.0.0.1.

          dotnet run -c Release --project bench/Gateway.Bench -- [options]

          --smoke              a few seconds: tiny sizes, N=20 sessions, asserts only that all bytes arrived
          --only LIST          figures to run, e.g. 1,2,4 (default: 1 to 10; 11, the footprint, and 12, agents, only when named)
          --mib N              MiB for one stream and the slow consumer (default 1024)
          --slow-mib N         MiB for the slow consumer (default: --mib)
          --slow-rate MBPS     the slow reader's rate in MB/s (default 10)
          --scale LIST         session counts for figure 5 (default 100,1000,5000)
          --runs N             repeat the one-stream and slow-consumer runs N times (default 1; the issue's robustness check is 20)
          --fair-seconds N     how long the bulk connection of figure 9 pushes, per run (default 8)
          --limit-seconds N    how long each run of figure 10 pushes (default 10)
          --no-cap             figure 9 without its second half (the relay's per-tunnel cap at 800 KB/s)
          --no-processes       skip the second configuration (separate localproxy processes)
          --release DIR        figure 11: build/publish-localproxy.sh's --out directory (default artifacts/localproxy)
          --out DIR            where results go (default bench/results)
        """;

    public bool Smoke { get; init; }

    public HashSet<int> Figures { get; init; } = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    public int LimitSeconds { get; init; } = 10;

    public int FairSeconds { get; init; } = 8;

    public bool FairCapped { get; init; } = true;

    public long StreamBytes { get; init; } = 1024L * 1024 * 1024;

    public long SlowBytes { get; init; } = 1024L * 1024 * 1024;

    public double SlowRate { get; init; } = 10e6;

    public int[] ScaleCounts { get; init; } = [100, 1000, 5000];

    public int Runs { get; init; } = 1;

    public bool Processes { get; init; } = true;

    public string? OutputDirectory { get; init; }

    /// <summary>Figure 11: where build/publish-localproxy.sh put the release builds (its --out), or null for its default.</summary>
    public string? ReleaseDirectory { get; init; }

    /// <summary>Worker mode of figure 5 (a fresh process per N): <c>--scale-worker N --relay-pid P --endpoint URL --ca DIR --idle-seconds S</c>, tokens on stdin.</summary>
    public ScaleWorkerArgs? ScaleWorker { get; init; }

    public int LatencyRounds => Smoke ? 300 : 20_000;

    public int ManyStreamsBytesPerConnection => Smoke ? 256 * 1024 : 16 * 1024 * 1024;

    public int Connections => Smoke ? 50 : 1000;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        long? slow = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]}: a value is required");
            switch (args[i])
            {
                case "--smoke":
                    options = options with
                    {
                        Smoke = true,
                        StreamBytes = 32L * 1024 * 1024,
                        ScaleCounts = [20],
                        FairSeconds = 1,

                        // The capped half drains megabytes at 800 KB/s: minutes, not smoke.
                        FairCapped = false,
                        LimitSeconds = 2,
                    };
                    slow ??= 8L * 1024 * 1024;
                    options = options with { SlowRate = 40e6 };
                    break;
                case "--only":
                    options = options with { Figures = [.. Next().Split(',').Select(s => ParseInt("--only", s, 1, 12))] };
                    break;
                case "--mib":
                    options = options with { StreamBytes = ParseInt("--mib", Next(), 1, 65536) * 1024L * 1024 };
                    break;
                case "--slow-mib":
                    slow = ParseInt("--slow-mib", Next(), 1, 65536) * 1024L * 1024;
                    break;
                case "--slow-rate":
                    options = options with { SlowRate = ParseInt("--slow-rate", Next(), 1, 10000) * 1e6 };
                    break;
                case "--scale":
                    options = options with { ScaleCounts = [.. Next().Split(',').Select(s => ParseInt("--scale", s, 1, 6000))] };
                    break;
                case "--runs":
                    options = options with { Runs = ParseInt("--runs", Next(), 1, 100) };
                    break;
                case "--fair-seconds":
                    options = options with { FairSeconds = ParseInt("--fair-seconds", Next(), 1, 600) };
                    break;
                case "--limit-seconds":
                    options = options with { LimitSeconds = ParseInt("--limit-seconds", Next(), 1, 600) };
                    break;
                case "--no-cap":
                    options = options with { FairCapped = false };
                    break;
                case "--no-processes":
                    options = options with { Processes = false };
                    break;
                case "--release":
                    options = options with { ReleaseDirectory = Next() };
                    break;
                case "--out":
                    options = options with { OutputDirectory = Next() };
                    break;
                case "--scale-worker":
                    options = options with { ScaleWorker = ScaleWorkerArgs.Parse(ParseInt("--scale-worker", Next(), 1, 6000), args[(i + 1)..]) };
                    i = args.Length;
                    break;
                default:
                    throw new ArgumentException($"{args[i]}: unknown option");
            }
        }

        return options with { SlowBytes = slow ?? options.StreamBytes };
    }

    /// <summary>A figure number of --only: 1 to 9, or 12 (agents).</summary>
    internal static int ParseInt(string option, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{option}: '{text}' is not a number from {min} to {max}");
}
