using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Proxy;

namespace Gateway.Engine.Sessions;

internal sealed partial class SessionLink
{
    // SERVICE_IDS: validate against the configured map and (re)build the services (docs/protocol.md 8.1).
    // A later SERVICE_IDS is validated again; services whose id and endpoint did not change keep
    // their live streams (the reference resets everything; section 17).
    private void HandleServiceIds(Message message)
    {
        var ids = new List<string>();
        foreach (var id in message.AvailableServiceIds)
        {
            if (ids.Contains(id, StringComparer.Ordinal))
            {
                _log.Warn($"SERVICE_IDS lists {id} twice; the duplicate is ignored");
                continue;
            }

            ids.Add(id);
        }

        var mapping = ResolveMapping(ids, out string? error);
        if (mapping is null)
        {
            _log.Error(error!);
            End(new LinkEnd(LinkEndKind.ConfigurationError, error!));
            return;
        }

        List<ServiceChannel> removed;
        lock (_gate)
        {
            var previous = _channels;
            var next = new List<ServiceChannel>(mapping.Count);
            foreach (var entry in mapping)
            {
                var kept = previous.FirstOrDefault(c => string.Equals(c.ServiceId, entry.ServiceId, StringComparison.Ordinal) && c.Endpoint == entry.Endpoint);
                next.Add(kept ?? new ServiceChannel(entry.ServiceId, entry.Endpoint, TunnelWriter.CreateLane()));
            }

            removed = previous.Where(p => !next.Contains(p)).ToList();
            foreach (var channel in removed)
            {
                CloseStream(channel, graceful: false);
                if (channel.Listener is { } listener && ReferenceEquals(listener.Target, channel))
                {
                    listener.Target = null;
                }
            }

            _channels = next;
            _serviceIdsReceived = true;
        }

        if (IsSource)
        {
            string? listenError = _session.AttachListeners(this, _channels);
            if (listenError is not null)
            {
                _log.Error(listenError);
                End(new LinkEnd(LinkEndKind.PortUnavailable, listenError));
                return;
            }
        }

        _ready = true;
        _session.MarkReady();
        string names = ids.Count == 0 ? "none" : string.Join(", ", ids);
        string detail = string.Join(", ", _channels.Select(c => $"{c.ServiceId ?? "(unnamed)"} -> {(c.Listener is { } l ? l.EndPoint.ToString() : c.Endpoint.ToString())}"));
        _log.Info($"service ids from the tunnel: {names}; {(IsSource ? "listening" : "forwarding")}: {(detail.Length == 0 ? "nothing" : detail)}{(removed.Count > 0 ? $"; dropped {removed.Count} service(s)" : string.Empty)}");
        _session.NotifyChanged();
    }

    private List<ServiceMapping>? ResolveMapping(List<string> ids, out string? error)
    {
        error = null;
        var configured = _spec.Services;
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
                var endpoint = _session.Resolver?.Resolve(id);
                if (endpoint is null && IsSource)
                {
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
