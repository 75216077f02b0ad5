using Gateway.Bench.Infrastructure;
using Gateway.Engine.Settings;

namespace Gateway.Bench;

/// <summary>What every scenario gets: the options, the results, the in-process gateway, the run's deadline.</summary>
internal sealed class BenchContext(BenchOptions options, ResultTable table, BenchGateway gateway, CancellationToken cancellation)
{
    public const string InProcess = "in-process";

    public const string Processes = "processes";

    public BenchOptions Options { get; } = options;

    public ResultTable Table { get; } = table;

    public BenchGateway Gateway { get; } = gateway;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Raw loopback MB/s measured by figure 1 in this run (the ceiling), or null.</summary>
    public double? LoopbackMBps { get; set; }

    /// <summary>One stream through two of our localproxy processes (figure 2, processes) in this run, or null.</summary>
    public double? ProcessChainMBps { get; set; }

    /// <summary>The reference's defaults, as a user gets them.</summary>
    public ProxySettings Settings { get; } = ProxySettings.Default;

    /// <summary>Fails the run: a scenario that lost or corrupted bytes is not a measurement.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new BenchFailureException(what);
        }
    }

    public string Ratio(double mbps) => LoopbackMBps is { } ceiling ? $"{100 * mbps / ceiling:0.0}% of raw loopback" : string.Empty;
}
