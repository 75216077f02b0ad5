using Gateway.Api.Clouds;

namespace Gateway.Api.Agents;

/// <summary>
/// What agents tell the rest of the gateway: a status change (for the hub), and a refused notification
/// (for the audit log, actor <c>gateway</c>, method <c>MQTT</c>, the topic as its path).
/// </summary>
internal sealed class AgentNotices(CloudAudit audit)
{
    /// <summary>An agent's status changed (connected, a notification...); the argument is its name.</summary>
    public event Action<string>? AgentChanged;

    public void Changed(string agent) => AgentChanged?.Invoke(agent);

    public Task RefusedAsync(AgentConfig config, string reason) =>
        audit.WriteAsync($"{config.Topic} refused: {reason}", config.Name, StatusCodes.Status403Forbidden, method: "MQTT");
}
