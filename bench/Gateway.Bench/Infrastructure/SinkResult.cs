namespace Gateway.Bench.Infrastructure;

/// <param name="Bytes">Bytes received.</param>
/// <param name="Intact">All expected bytes arrived and matched the pattern.</param>
/// <param name="FinishedAt">Stopwatch timestamp of the last read.</param>
internal readonly record struct SinkResult(long Bytes, bool Intact, long FinishedAt);
