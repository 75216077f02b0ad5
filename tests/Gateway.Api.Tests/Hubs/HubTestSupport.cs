using System.Net.Http.Json;
using System.Net;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Hubs;

internal static class HubTestSupport
{
    /// <summary>A destination to <paramref name="appPort"/> and a source on a free port, through the built-in relay, both ready.</summary>
    public static async Task<(string SourceId, string DestinationId, int Port)> StartPairAsync(this TestGateway gateway, int appPort)
    {
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={appPort}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);
        return (source.Id, destination.Id, ports[0]);
    }

    /// <summary>Creates an API key with <paramref name="role"/> through the admin client; returns the key.</summary>
    public static async Task<string> CreateApiKeyAsync(this TestGateway gateway, string name, string role)
    {
        using var admin = gateway.CreateClient();
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Gateway.Api.Auth.CreatedApiKeyResponse>())!.Key;
    }
}
