using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Sessions;

/// <summary>Checks a source session's listen ports against <see cref="SessionsOptions"/> and the gateway's own ports.</summary>
internal sealed class SourcePortPolicy(IOptions<SessionsOptions> options, IServer server)
{
    /// <summary>An error naming <c>services</c> for each port the session may not take; empty when all are allowed.</summary>
    public IReadOnlyList<SpecError> Check(SessionSpec spec)
    {
        if (spec.Mode != SessionMode.Source || string.IsNullOrWhiteSpace(spec.Services))
        {
            return [];
        }

        var parseErrors = new List<SpecError>();
        var services = ServiceMapParser.Parse(spec.Services, SessionMode.Source, "services", parseErrors);
        if (parseErrors.Count > 0)
        {
            return [];
        }

        var range = options.Value;
        var own = OwnPorts();
        var errors = new List<SpecError>();
        foreach (var service in services)
        {
            int port = service.Endpoint.Port;
            string name = service.ServiceId ?? "the service";
            if (own.Contains(port))
            {
                errors.Add(new SpecError("services", $"Port {port} ({name}) is the gateway's own port."));
            }
            else if (port < range.SourcePortMin || port > range.SourcePortMax)
            {
                errors.Add(new SpecError("services", $"Port {port} ({name}) is outside the allowed source ports {range.SourcePortMin}-{range.SourcePortMax} (Sessions:SourcePortMin/Max)."));
            }
        }

        return errors;
    }

    private HashSet<int> OwnPorts()
    {
        var ports = new HashSet<int>();
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                ports.Add(uri.Port);
            }
        }

        return ports;
    }
}
