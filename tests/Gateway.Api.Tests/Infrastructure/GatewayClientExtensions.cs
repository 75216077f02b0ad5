using System.Net.Http.Json;
using Gateway.Api.Relay;

namespace Gateway.Api.Tests.Infrastructure;

internal static class GatewayClientExtensions
{
    /// <summary>Creates a relay tunnel through the REST API and returns its tokens.</summary>
    public static async Task<CreatedRelayTunnelResponse> CreateTunnelAsync(this TestGateway gateway, params string[] services)
    {
        using var client = gateway.CreateClient();
        var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { services });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedRelayTunnelResponse>())!;
    }

    /// <summary>Connects both ends and reads the SERVICE_IDS each gets first.</summary>
    public static async Task<(TunnelSocket Source, TunnelSocket Destination)> ConnectPairAsync(
        this TestGateway gateway, CreatedRelayTunnelResponse tunnel, string? sourceClientToken = null, string? destinationClientToken = null)
    {
        var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken, destinationClientToken));
        Assert.Equal(Gateway.Engine.Protocol.Wire.Message.Types.Type.ServiceIds, (await source.ReceiveAsync()).Type);
        Assert.Equal(Gateway.Engine.Protocol.Wire.Message.Types.Type.ServiceIds, (await destination.ReceiveAsync()).Type);
        return (source, destination);
    }
}
