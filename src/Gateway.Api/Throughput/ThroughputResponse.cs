namespace Gateway.Api.Throughput;

/// <summary>Answer of <c>GET /api/tunnels/{id}/throughput</c>: one session's throughput history, oldest first.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Range">The range asked for (<c>15m</c>, <c>1h</c>, <c>6h</c>, <c>24h</c>, <c>7d</c>).</param>
/// <param name="ResolutionSeconds">5 (ranges up to an hour) or 60 (longer ranges: each minute's average).</param>
/// <param name="T">Each sample's slot start, in Unix seconds.</param>
/// <param name="ToTunnel">Bytes per second read from local connections and sent into the tunnel, per sample.</param>
/// <param name="FromTunnel">Bytes per second from the tunnel written to local connections, per sample.</param>
public sealed record ThroughputResponse(string SessionId, string Range, int ResolutionSeconds, IReadOnlyList<long> T, IReadOnlyList<float> ToTunnel, IReadOnlyList<float> FromTunnel);
