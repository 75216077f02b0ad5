using Gateway.Engine.Sessions;

namespace Gateway.Api.Hubs;

/// <summary>Answer to the hub method <c>Subscribe</c>: the session now and its recent log lines (oldest first).</summary>
/// <param name="Session">The full snapshot (services and connections).</param>
/// <param name="Logs">The recent log lines, as <c>GET /api/tunnels/{id}/logs</c>.</param>
public sealed record SessionDetail(SessionSnapshot Session, IReadOnlyList<SessionLogLine> Logs);
