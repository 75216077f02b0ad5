using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// The caps a session runs with (from its settings), for snapshots: bytes per second each way
/// and per connection (0 = none), and connections at once per service and per session (0 = none).
/// </summary>
public sealed record SessionLimits(int BandwidthToTunnel, int BandwidthFromTunnel, int ConnectionBandwidth, int MaxConnectionsPerService, int MaxSessionConnections)
{
    /// <summary>The caps <paramref name="settings"/> give a session.</summary>
    /// <param name="settings">The session's settings (<c>limits.*</c> and <c>tcp.max-active-connections</c>).</param>
    internal static SessionLimits Of(ProxySettings settings) => new(
        settings.SessionBandwidthToTunnel,
        settings.SessionBandwidthFromTunnel,
        settings.ConnectionBandwidth,
        settings.TcpMaxActiveConnections,
        settings.MaxSessionConnections);
}
