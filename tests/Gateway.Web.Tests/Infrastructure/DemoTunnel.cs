using Gateway.Api.Relay;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>A demo tunnel made through the API: both ends run on the gateway, the destination reaches <paramref name="EchoPort"/>.</summary>
internal sealed record DemoTunnel(string TunnelId, string SourceSessionId, string DestinationSessionId, int SourcePort)
{
    /// <summary>Opens one (<c>POST /api/relay/tunnels</c> with <c>connect</c>) and waits until both ends are connected and know their services.</summary>
    public static async Task<DemoTunnel> OpenAsync(TestGateway gateway, int echoPort)
    {
        CreatedRelayTunnelResponse created = await gateway.CreateTunnelAsync(null, new { destinations = $"SSH=127.0.0.1:{echoPort}" });
        var sessions = created.Sessions ?? throw new InvalidOperationException("the answer has no sessions");
        var tunnel = new DemoTunnel(created.TunnelId, sessions.SourceSessionId, sessions.DestinationSessionId, sessions.SourcePorts["SSH"]);
        await tunnel.WaitReadyAsync(gateway);
        return tunnel;
    }

    /// <summary>Both ends Connected and past "waiting for SERVICE_IDS" (a local connection is then carried at once).</summary>
    public async Task WaitReadyAsync(TestGateway gateway)
    {
        foreach (string id in new[] { SourceSessionId, DestinationSessionId })
        {
            await gateway.WaitForSessionAsync(id, s =>
                s.GetProperty("state").GetString() == "Connected"
                && s.GetProperty("services").EnumerateArray().Any(service => service.GetProperty("serviceId").GetString() == "SSH")
                && string.IsNullOrEmpty(s.TryGetProperty("stateReason", out var reason) ? reason.GetString() : null));
        }
    }
}
