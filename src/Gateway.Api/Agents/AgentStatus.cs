namespace Gateway.Api.Agents;

/// <summary>What an agent is doing now (not stored: it starts again at every gateway start).</summary>
/// <param name="Name">The agent.</param>
/// <param name="State"><c>disabled</c>, <c>connecting</c>, <c>connected</c> or <c>disconnected</c> (waiting to reconnect).</param>
/// <param name="LastError">Why the last connection attempt or connection failed, or the last notification was refused; null after a success.</param>
/// <param name="ConnectedAt">When the current connection to the broker was made.</param>
/// <param name="LastNotificationAt">When the last notification arrived (accepted or not).</param>
/// <param name="LastNotificationResult">What became of it: started, duplicate, refused, invalid or failed.</param>
/// <param name="SessionId">The destination session the last accepted notification started.</param>
/// <param name="Notifications">Notifications received since the agent was last started (the gateway's start, or a PUT of the agent).</param>
/// <param name="SessionsStarted">Destination sessions started since the agent was last started.</param>
internal sealed record AgentStatus(
    string Name,
    string State,
    string? LastError,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? LastNotificationAt,
    string? LastNotificationResult,
    string? SessionId,
    long Notifications,
    long SessionsStarted)
{
    public static AgentStatus Disabled(string name) => new(name, "disabled", null, null, null, null, null, 0, 0);
}
