using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Matches the service ids a tunnel announces in SERVICE_IDS with a session's configured service
/// map (docs/protocol.md 8.1): an unnamed single service fits any tunnel, a named map must list
/// exactly the tunnel's ids, and an empty map asks the resolver (the config directory) id by id.
/// </summary>
internal static class ServiceIdMapping
{
    /// <summary>The services to run, in map order, or null with <paramref name="error"/> saying why they do not fit.</summary>
    public static List<ServiceMapping>? Resolve(IReadOnlyList<ServiceMapping> configured, IReadOnlyList<string> ids, IServiceIdResolver? resolver, bool isSource, out string? error)
    {
        error = null;
        if (configured.Count == 1 && configured[0].ServiceId is null)
        {
            // An unnamed map (-s 5555 / -d 22) fits any tunnel; with exactly one id it takes that name.
            return [new ServiceMapping(ids.Count == 1 ? ids[0] : null, configured[0].Endpoint)];
        }

        if (configured.Count == 0)
        {
            var resolved = new List<ServiceMapping>();
            var missing = new List<string>();
            foreach (var id in ids)
            {
                var endpoint = resolver?.Resolve(id);
                if (endpoint is null && isSource)
                {
                    // A source id nothing maps listens on an ephemeral port, logged once bound.
                    endpoint = ServiceEndpoint.ForPort(0);
                }

                if (endpoint is null)
                {
                    missing.Add(id);
                }
                else
                {
                    resolved.Add(new ServiceMapping(id, endpoint));
                }
            }

            if (missing.Count > 0)
            {
                error = $"the tunnel's service id(s) {string.Join(", ", missing)} have no local endpoint: map them in the session's services or the config directory";
                return null;
            }

            return resolved;
        }

        var names = configured.Select(c => c.ServiceId!).ToList();
        if (ids.Count != configured.Count || ids.Any(id => !names.Contains(id, StringComparer.Ordinal)))
        {
            error = $"the tunnel's service ids [{string.Join(", ", ids)}] do not match the configured services [{string.Join(", ", names)}]";
            return null;
        }

        return [.. configured];
    }
}
