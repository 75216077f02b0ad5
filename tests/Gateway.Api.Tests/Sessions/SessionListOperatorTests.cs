using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Sessions;

/// <summary>
/// What the sessions list needs for an operator: readable names for demo sessions, a stopped session
/// keeps naming its services and ports, and ended sessions can be cleared (<c>DELETE /api/tunnels/ended</c>).
/// </summary>
public sealed class SessionListOperatorTests
{
    [Fact]
    public async Task DemoSessionsHaveReadableNamesAndAStoppedOneKeepsItsServicesAndPort()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var created = await http.PostJsonAsync("/api/relay/tunnels", new { thingName = "pump-17", connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}" } }, HttpStatusCode.Created);
        string tunnelId = created.GetProperty("tunnelId").GetString()!;
        string sourceId = created.GetProperty("sessions").GetProperty("sourceSessionId").GetString()!;
        string destinationId = created.GetProperty("sessions").GetProperty("destinationSessionId").GetString()!;
        int port = created.GetProperty("sessions").GetProperty("sourcePorts").GetProperty("SSH").GetInt32();
        await gateway.Sessions().WaitReadyAsync(sourceId);
        await gateway.Sessions().WaitReadyAsync(destinationId);

        var source = await http.GetJsonAsync($"/api/tunnels/{sourceId}");
        Assert.Equal($"pump-17 SSH source · {tunnelId[..6]}", source.GetProperty("name").GetString());
        Assert.Equal($"pump-17 SSH destination · {tunnelId[..6]}", (await http.GetJsonAsync($"/api/tunnels/{destinationId}")).GetProperty("name").GetString());

        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoRandomAsync(1024);
        }

        var stopped = await http.DeleteJsonAsync($"/api/tunnels/{sourceId}", HttpStatusCode.OK);
        Assert.Equal("Stopped", stopped.GetProperty("state").GetString());
        foreach (var snapshot in new[] { stopped, await http.GetJsonAsync($"/api/tunnels/{sourceId}") })
        {
            var service = Assert.Single(snapshot.GetProperty("services").EnumerateArray());
            Assert.Equal("SSH", service.GetProperty("serviceId").GetString());
            Assert.Equal(port, service.GetProperty("listenPort").GetInt32());
            Assert.Empty(service.GetProperty("connections").EnumerateArray());
        }

        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ClearingEndedSessionsRemovesOnlyEndedOnesAndNeedsTheOperatorRole()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var created = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}" } }, HttpStatusCode.Created);
        string sourceId = created.GetProperty("sessions").GetProperty("sourceSessionId").GetString()!;
        string destinationId = created.GetProperty("sessions").GetProperty("destinationSessionId").GetString()!;
        await gateway.Sessions().WaitReadyAsync(destinationId);
        await http.DeleteJsonAsync($"/api/tunnels/{sourceId}", HttpStatusCode.OK);

        using (var viewer = gateway.CreateClient(await CreateKeyAsync(http, "viewer")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/tunnels/ended")).StatusCode);
        }

        using var operatorClient = gateway.CreateClient(await CreateKeyAsync(http, "operator"));
        var cleared = await operatorClient.DeleteJsonAsync("/api/tunnels/ended", HttpStatusCode.OK);
        Assert.Equal([sourceId], cleared.GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        await http.GetJsonAsync($"/api/tunnels/{sourceId}", HttpStatusCode.NotFound);
        Assert.Equal(SessionState.Connected, gateway.Sessions().Get(destinationId)!.State);

        // The history keeps it (written in the background: flushed first); a second clear has nothing to do.
        Assert.True(await gateway.Services.GetRequiredService<Gateway.Api.History.SessionHistoryRecorder>().FlushAsync(TestGateway.Timeout));
        var history = await http.GetJsonAsync("/api/history");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("id").GetString() == sourceId && h.GetProperty("endState").GetString() == "Stopped");
        Assert.Empty((await operatorClient.DeleteJsonAsync("/api/tunnels/ended", HttpStatusCode.OK)).GetProperty("removed").EnumerateArray());
        gateway.Logs.AssertNoErrors();
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string role)
    {
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = role + "-clear", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }
}
