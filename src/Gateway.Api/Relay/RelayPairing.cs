using Gateway.Api.Profiles;
using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Relay;

/// <summary>
/// The demo / self-hosted pairing: starts both ends of a just-created relay tunnel as sessions of
/// this gateway (destination to the given local services, source on the given or free ports).
/// Only possible at creation: the relay keeps no token afterwards.
/// </summary>
internal sealed class RelayPairing(SessionStarter starter, SessionManager sessions, BuiltInRelayEndpoint relayEndpoint, IOptions<SessionsOptions> ports, TunnelRelay relay, PairedTunnels paired)
{
    private const int PortAttempts = 8;

    /// <summary>Checks <paramref name="connect"/>; the destination map's service ids, or null with errors (fields <c>connect.*</c>).</summary>
    public static IReadOnlyList<string>? Validate(RelayConnectBody connect, IReadOnlyList<string>? services, Dictionary<string, string[]> errors)
    {
        var parseErrors = new List<SpecError>();
        var destinations = ServiceMapParser.Parse(connect.Destinations, SessionMode.Destination, "connect.destinations", parseErrors);
        if (parseErrors.Count == 0 && (destinations.Count == 0 || destinations.Any(d => d.ServiceId is null)))
        {
            parseErrors.Add(new SpecError("connect.destinations", "Name every service: SSH=127.0.0.1:22,WEB=127.0.0.1:80."));
        }

        var sourcePorts = ServiceMapParser.Parse(connect.SourcePorts, SessionMode.Source, "connect.sourcePorts", parseErrors);
        var ids = destinations.Select(d => d.ServiceId!).ToList();
        if (parseErrors.Count == 0 && services is { Count: > 0 } && !services.Order(StringComparer.Ordinal).SequenceEqual(ids.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            parseErrors.Add(new SpecError("connect.destinations", $"The services of connect.destinations ({string.Join(", ", ids)}) must be the tunnel's services ({string.Join(", ", services)})."));
        }

        if (parseErrors.Count == 0 && sourcePorts.Any(p => p.ServiceId is null || !ids.Contains(p.ServiceId, StringComparer.Ordinal)))
        {
            parseErrors.Add(new SpecError("connect.sourcePorts", $"Name services of the tunnel: {string.Join(", ", ids.Select(id => id + "=PORT"))}."));
        }

        if (connect.BindAddress is { } bind && !string.Equals(bind, "localhost", StringComparison.OrdinalIgnoreCase) && !System.Net.IPAddress.TryParse(bind, out _))
        {
            parseErrors.Add(new SpecError("connect.bindAddress", $"'{bind}' is not an IP address (or localhost)."));
        }

        foreach (var group in parseErrors.GroupBy(e => e.Field))
        {
            errors[group.Key] = group.Select(e => e.Message).ToArray();
        }

        return parseErrors.Count == 0 ? ids : null;
    }

    /// <summary>Starts both ends; on failure stops what started and closes the tunnel, and answers the errors.</summary>
    public async Task<(ConnectedSessions? Sessions, IReadOnlyList<SpecError> Errors, bool IsConflict)> ConnectAsync(CreatedTunnel created, RelayConnectBody connect, string? startedBy, CancellationToken cancellationToken)
    {
        if (relayEndpoint.Endpoint is not { } endpoint)
        {
            await relay.CloseAsync(created.Tunnel.Id, cancellationToken);
            return (null, [new SpecError("connect", "The gateway has no HTTPS address its sessions could reach the relay on.")], false);
        }

        await paired.MarkAsync(created.Tunnel.Id, cancellationToken);

        var destination = starter.Start(
            new SessionSpec
            {
                Name = DemoName(created.Tunnel, "destination"),
                Mode = SessionMode.Destination,
                Endpoint = endpoint,
                CaPath = relayEndpoint.CaDirectory,
                AccessToken = created.DestinationAccessToken,
                Services = connect.Destinations,
            },
            startedBy,
            persist: false);
        if (!destination.Started)
        {
            await relay.CloseAsync(created.Tunnel.Id, cancellationToken);
            return (null, Prefix(destination.Errors, "connect.destinations"), destination.IsConflict);
        }

        var given = new List<SpecError>();
        var fixedPorts = ServiceMapParser.Parse(connect.SourcePorts, SessionMode.Source, "connect.sourcePorts", given)
            .ToDictionary(p => p.ServiceId!, p => p.Endpoint.Port, StringComparer.Ordinal);
        SessionStartResult? source = null;
        Dictionary<string, int> chosen = [];
        for (int attempt = 0; attempt < PortAttempts; attempt++)
        {
            chosen = created.Tunnel.Services.ToDictionary(id => id, id => fixedPorts.TryGetValue(id, out int port) ? port : FreePort(), StringComparer.Ordinal);
            source = starter.Start(
                new SessionSpec
                {
                    Name = DemoName(created.Tunnel, "source"),
                    Mode = SessionMode.Source,
                    Endpoint = endpoint,
                    CaPath = relayEndpoint.CaDirectory,
                    AccessToken = created.SourceAccessToken,
                    Services = string.Join(',', chosen.Select(c => $"{c.Key}={c.Value}")),
                    BindAddress = connect.BindAddress ?? "127.0.0.1",
                },
                startedBy,
                persist: false);

            // A free port taken meanwhile is a conflict: choose again, unless the caller chose them all.
            if (source.Started || !source.IsConflict || chosen.Keys.All(fixedPorts.ContainsKey))
            {
                break;
            }
        }

        if (source?.Started != true)
        {
            await sessions.StopAsync(destination.Session!.Id);
            await relay.CloseAsync(created.Tunnel.Id, cancellationToken);
            return (null, Prefix(source?.Errors ?? [], "connect.sourcePorts"), source?.IsConflict == true);
        }

        return (new ConnectedSessions(source.Session!.Id, destination.Session!.Id, chosen), [], false);
    }

    /// <summary>
    /// A name a person reads in the sessions list: the thing (or "demo"), the services, the end and a
    /// short tunnel id to tell two alike apart, e.g. <c>demo SSH source · 3f2a9c</c>.
    /// </summary>
    internal static string DemoName(RelayTunnelSnapshot tunnel, string end)
    {
        string what = string.IsNullOrEmpty(tunnel.ThingName) ? "demo" : tunnel.ThingName;
        string services = tunnel.Services.Count == 0 ? string.Empty : " " + string.Join(",", tunnel.Services);
        string shortId = tunnel.Id.Length > 6 ? tunnel.Id[..6] : tunnel.Id;
        string name = $"{what}{services} {end} · {shortId}";
        return name.Length <= SessionSpecValidator.MaxNameLength ? name : $"{name[..(SessionSpecValidator.MaxNameLength - 1)]}…";
    }

    private static List<SpecError> Prefix(IReadOnlyList<SpecError> errors, string field) =>
        errors.Select(e => e.Field == "services" ? e with { Field = field } : e with { Field = "connect." + e.Field }).ToList();

    /// <summary>A port in the allowed range that is free now (bound and released).</summary>
    private int FreePort()
    {
        var range = ports.Value;
        for (int i = 0; i < 64; i++)
        {
            int port = Random.Shared.Next(range.SourcePortMin, range.SourcePortMax + 1);
            try
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }

        return range.SourcePortMin;
    }
}
