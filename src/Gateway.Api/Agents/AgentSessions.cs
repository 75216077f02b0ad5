using Gateway.Api.Profiles;
using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Agents;

/// <summary>
/// Starts the destination session of an accepted notification through <see cref="SessionStarter"/>
/// (the path REST uses: client token, history, resumption), after stopping the thing's previous one.
/// </summary>
internal sealed class AgentSessions(SessionStarter starter, SessionManager sessions, SessionResumption resumption, BuiltInRelayEndpoint relay)
{
    /// <summary>The history's "started by" of a session an agent started.</summary>
    public static string StartedBy(string agent) => $"notification (agent {agent})";

    /// <summary>The name of an agent's destination sessions; a resumed one is found (and replaced) by it.</summary>
    public static string SessionName(AgentConfig config) => $"{config.ThingName} (agent {config.Name})";

    /// <summary>Stops the previous session, starts the new one; its id, or why it did not start.</summary>
    public async Task<(string? SessionId, string? Error)> ReplaceAsync(AgentConfig config, TunnelNotification notification, string services, string? previousId)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(notification);
        string name = SessionName(config);
        foreach (var running in sessions.List().Where(s => s.EndedAt is null && (s.Id == previousId || (s.Mode == SessionMode.Destination && s.Name == name))))
        {
            await sessions.StopAsync(running.Id).ConfigureAwait(false);
            resumption.Forget(running.Id);
        }

        var (spec, error) = SpecFor(name, config.DataEndpoint, config.CaPath, notification, services, relay.Endpoint, relay.CaDirectory);
        if (spec is null)
        {
            return (null, error);
        }

        var result = starter.Start(spec, StartedBy(config.Name));
        return result.Started ? (result.Session!.Id, null) : (null, string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
    }

    /// <summary>
    /// The destination session a notification asks for: its token and services, connecting to the
    /// agent's data endpoint, to this gateway's relay (<c>local</c>), or, with none, to the data plane
    /// of the notification's region (the engine derives the host from the region). Or why there is none.
    /// </summary>
    public static (SessionSpec? Spec, string? Error) SpecFor(string name, string? dataEndpoint, string? caPath, TunnelNotification notification, string services, string? relayEndpoint, string? relayCaDirectory)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var spec = new SessionSpec
        {
            Name = name,
            Mode = SessionMode.Destination,
            AccessToken = notification.AccessToken,
            Services = services,
            CaPath = caPath,
        };
        if (dataEndpoint == AgentRules.LocalDataEndpoint)
        {
            return relayEndpoint is { } local
                ? (spec with { Endpoint = local, CaPath = relayCaDirectory ?? caPath }, null)
                : (null, "dataEndpoint is local, but this gateway's relay has no HTTPS address");
        }

        return (dataEndpoint is { } endpoint ? spec with { Endpoint = endpoint } : spec with { Region = notification.Region }, null);
    }

    /// <summary>
    /// The session's service map for a notification: the agent's entries for the notified services, or
    /// why it is refused (a service the agent does not map). A single unnamed entry serves a single service.
    /// </summary>
    public static (string? Map, string? Refusal) MapFor(string agentMap, IReadOnlyList<string> services)
    {
        ArgumentNullException.ThrowIfNull(agentMap);
        ArgumentNullException.ThrowIfNull(services);
        var entries = agentMap.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 1 && !entries[0].Contains('=', StringComparison.Ordinal))
        {
            return services.Count == 1
                ? ($"{services[0]}={entries[0]}", null)
                : (null, $"the tunnel has {services.Count} services ({string.Join(", ", services)}) and the agent maps one unnamed service");
        }

        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            byId.TryAdd(entry[..equals].Trim(), entry[(equals + 1)..].Trim());
        }

        var missing = services.Where(s => !byId.ContainsKey(s)).ToList();
        if (missing.Count > 0)
        {
            return (null, $"{string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not in the agent's service map ({string.Join(", ", byId.Keys)})");
        }

        return (string.Join(',', services.Select(s => $"{s}={byId[s]}")), null);
    }
}
