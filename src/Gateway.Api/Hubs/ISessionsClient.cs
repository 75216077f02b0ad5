using Gateway.Api.Agents;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Hubs;

/// <summary>
/// What <see cref="SessionsHub"/> pushes to its clients. SignalR sends each method's name as it is, so
/// the names are the wire names the dashboard listens to (camelCase, src/Gateway.Web/wwwroot/js/hub-methods.js;
/// a test keeps the two lists equal). A trailing <see cref="CancellationToken"/> only cancels the send.
/// </summary>
internal interface ISessionsClient
{
    /// <summary>A session started or changed state (everyone).</summary>
    Task sessionChanged(SessionSnapshot session, CancellationToken cancellationToken);

    /// <summary>A session was removed (everyone).</summary>
    Task sessionRemoved(string sessionId, CancellationToken cancellationToken);

    /// <summary>The counters that moved since the last batch (everyone, every <see cref="SessionsHubBroadcaster.FlushInterval"/> at most).</summary>
    Task sessionCounters(IReadOnlyList<SessionCounters> batch, CancellationToken cancellationToken);

    /// <summary>A subscribed session's whole snapshot (its group).</summary>
    Task sessionDetail(SessionSnapshot session, CancellationToken cancellationToken);

    /// <summary>A new log line of a subscribed session (its group).</summary>
    Task sessionLog(string sessionId, SessionLogLine line, CancellationToken cancellationToken);

    /// <summary>An agent's status (<see cref="AgentsHubBroadcaster"/>, everyone).</summary>
    Task agentChanged(AgentStatus status, CancellationToken cancellationToken);
}
