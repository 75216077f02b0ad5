using System.Text.Json;

namespace Gateway.Bench.Scenarios;

/// <summary>What a figure-5 worker measured, sent to its parent as one JSON line.</summary>
internal sealed record ScaleResult(double ConnectSeconds, long SessionRssBytes, long SessionHeapBytes, long RelayRssBytes, double SessionCpuPercent, double RelayCpuPercent, double IdleSeconds)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
