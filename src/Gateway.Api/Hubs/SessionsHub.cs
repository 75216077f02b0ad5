using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.SignalR;

namespace Gateway.Api.Hubs;

/// <summary>
/// Live updates for the dashboard at <c>/hubs/sessions</c> (any logged-in role). Clients only read:
/// the initial state (<see cref="GetSessions"/>), then pushes (<see cref="ISessionsClient"/>) from
/// <see cref="SessionsHubBroadcaster"/>: <c>sessionChanged</c>, <c>sessionRemoved</c> and
/// <c>sessionCounters</c> to everyone, and <c>sessionDetail</c> and <c>sessionLog</c> to the subscribers
/// of one session; <c>agentChanged</c> from <see cref="AgentsHubBroadcaster"/>. Its public methods are
/// what clients invoke, by name (src/Gateway.Web/wwwroot/js/hub-methods.js). docs/dashboard.md.
/// </summary>
internal sealed class SessionsHub(SessionManager sessions, HubConnectionRegistry connections) : Hub<ISessionsClient>
{
    public const string Path = "/hubs/sessions";

    /// <summary>The group of one session's subscribers.</summary>
    public static string GroupName(string sessionId) => "session:" + sessionId;

    public override Task OnConnectedAsync()
    {
        connections.Add(Context);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context);
        return Task.CompletedTask;
    }

    /// <summary>Every session the gateway knows (as <c>GET /api/tunnels</c>), oldest first.</summary>
    public IReadOnlyList<SessionSnapshot> GetSessions() => sessions.List();

    /// <summary>
    /// Joins the session's group, then answers its snapshot and recent log lines: joining first means no
    /// line is missed between the answer and the first <c>sessionLog</c> (one may come twice).
    /// </summary>
    public async Task<SessionDetail> Subscribe(string sessionId)
    {
        if (string.IsNullOrEmpty(sessionId) || sessions.Get(sessionId) is null)
        {
            throw new HubException($"No session has id {sessionId}.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, GroupName(sessionId));
        if (sessions.Get(sessionId) is not { } session || sessions.GetLog(sessionId) is not { } logs)
        {
            // Removed meanwhile.
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupName(sessionId));
            throw new HubException($"No session has id {sessionId}.");
        }

        return new SessionDetail(session, logs);
    }

    /// <summary>Leaves the session's group (nothing happens if this connection was not in it).</summary>
    public Task Unsubscribe(string sessionId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupName(sessionId ?? string.Empty));
}
