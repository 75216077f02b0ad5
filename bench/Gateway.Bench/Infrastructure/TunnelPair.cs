namespace Gateway.Bench.Infrastructure;

/// <summary>A relay tunnel with a connected source and destination session in this process.</summary>
internal sealed record TunnelPair(string TunnelId, string SourceId, string DestinationId, int[] SourcePorts);
