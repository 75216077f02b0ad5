namespace Gateway.Api.Throughput;

/// <summary>Samples of one session: <c>T[i]</c> (Unix seconds, the start of the slot) with the rates in bytes per second each way.</summary>
internal sealed record ThroughputPoints(int ResolutionSeconds, IReadOnlyList<long> T, IReadOnlyList<float> ToTunnel, IReadOnlyList<float> FromTunnel);
