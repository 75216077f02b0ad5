namespace Gateway.Bench.Infrastructure;

/// <summary>One measured figure: which of the seven it belongs to, what, how much.</summary>
/// <param name="Figure">1..7 as numbered in docs/performance.md.</param>
/// <param name="Configuration">"in-process" (engine and relay in this process) or "processes" (two localproxy processes).</param>
/// <param name="Metric">What was measured, e.g. "throughput WSS".</param>
/// <param name="Value">The number.</param>
/// <param name="Unit">MB/s (10^6 bytes per second), us, KiB, %, s, count.</param>
/// <param name="Note">Ratio to the ceiling, target, or how it was measured.</param>
internal sealed record ResultRow(int Figure, string Configuration, string Metric, double Value, string Unit, string Note = "");
