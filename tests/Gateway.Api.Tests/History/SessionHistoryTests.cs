using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.History;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.History;

/// <summary>The history of sessions started over REST: who, the spec without secrets, the end and the bytes; sessions cut by a shutdown.</summary>
public sealed class SessionHistoryTests
{
    [Fact]
    public async Task StartedAndStoppedSessionsAreInTheHistoryWithTheirUserBytesAndEnd()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        string destinationId = await StartAsync(http, gateway, "destination", tunnel.DestinationAccessToken, $"SSH={echo.Port}");
        var (sourceId, port) = await StartSourceAsync(http, gateway, tunnel.SourceAccessToken);
        await gateway.Sessions().WaitReadyAsync(sourceId);
        await gateway.Sessions().WaitReadyAsync(destinationId);
        using (var client = await LocalClient.ConnectAsync(port))
        {
            var payload = new byte[100_000];
            Random.Shared.NextBytes(payload);
            await client.EchoAsync(payload);
        }

        await gateway.Sessions().WaitForAsync(sourceId, s => s.BytesFromTunnel == 100_000);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/api/tunnels/{sourceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/api/tunnels/{destinationId}")).StatusCode);

        var row = await ReadHistoryRowAsync(gateway, http, sourceId);
        Assert.Equal("Stopped", row.GetProperty("endState").GetString());
        Assert.Equal("key:bootstrap", row.GetProperty("startedBy").GetString());
        Assert.Equal("Source", row.GetProperty("mode").GetString());
        Assert.Equal(100_000, row.GetProperty("bytesToTunnel").GetInt64());
        Assert.Equal(100_000, row.GetProperty("bytesFromTunnel").GetInt64());
        Assert.Equal($"SSH={port}", row.GetProperty("spec").GetProperty("services").GetString());
        Assert.Equal("stopped by the user", row.GetProperty("endReason").GetString());

        string all = await http.GetStringAsync("/api/history");
        Assert.DoesNotContain(tunnel.SourceAccessToken, all, StringComparison.Ordinal);
        Assert.DoesNotContain(tunnel.DestinationAccessToken, all, StringComparison.Ordinal);
        Assert.Equal(2, JsonDocument.Parse(all).RootElement.GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/history?limit=0")).StatusCode);
    }

    [Fact]
    public async Task ASessionRunningAtShutdownIsResumedUnderItsIdAndTheHistorySaysSo()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        int port = Gateway.Testing.Tcp.FreePort();
        string id;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory, httpsPort: port))
        {
            using var http = gateway.CreateClient();
            var tunnel = await gateway.CreateTunnelAsync("SSH");
            id = await StartAsync(http, gateway, "destination", tunnel.DestinationAccessToken, "SSH=127.0.0.1:9");
            await gateway.Sessions().WaitReadyAsync(id);
        }

        await using var restarted = await TestGateway.StartAsync(dataDirectory, httpsPort: port);
        await restarted.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().Resumed.WaitAsync(TestGateway.Timeout);
        await restarted.Sessions().WaitReadyAsync(id);
        using var client = restarted.CreateClient();
        var row = await ReadHistoryRowAsync(restarted, client, id);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("endState").ValueKind);
        Assert.EndsWith("(resumed after restart)", row.GetProperty("startedBy").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourcePortsOutsideTheAllowedRangeOrTheGatewaysOwnAreRefused()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Sessions:SourcePortMin"] = "20000", ["Sessions:SourcePortMax"] = "20099" });
        using var http = gateway.CreateClient();
        var body = new { mode = "source", endpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}", accessToken = "x", services = "SSH=19999" };

        using var outside = await http.PostAsJsonAsync("/api/tunnels", body);
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        string text = await outside.Content.ReadAsStringAsync();
        Assert.Contains("services", text, StringComparison.Ordinal);
        Assert.Contains("20000-20099", text, StringComparison.Ordinal);

        await using var wide = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Sessions:SourcePortMin"] = "1" });
        using var wideHttp = wide.CreateClient();
        using var own = await wideHttp.PostAsJsonAsync("/api/tunnels", body with { services = $"SSH={wide.HttpsBase.Port}" });
        Assert.Equal(HttpStatusCode.BadRequest, own.StatusCode);
        Assert.Contains("the gateway's own port", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> StartAsync(HttpClient http, TestGateway gateway, string mode, string token, string services)
    {
        using var response = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode,
            endpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}",
            accessToken = token,
            services,
            caPath = gateway.CaDirectory(),
            bindAddress = mode == "source" ? "127.0.0.1" : null,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<(string Id, int Port)> StartSourceAsync(HttpClient http, TestGateway gateway, string token)
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = SessionHarness.FreePort();
            using var response = await http.PostAsJsonAsync("/api/tunnels", new
            {
                mode = "source",
                endpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}",
                accessToken = token,
                services = $"SSH={port}",
                caPath = gateway.CaDirectory(),
                bindAddress = "127.0.0.1",
            });
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 4)
            {
                continue;
            }

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, port);
        }
    }

    /// <summary>History rows are written in the background: wait (bounded) until what is queued is written, then read the row.</summary>
    private static async Task<JsonElement> ReadHistoryRowAsync(TestGateway gateway, HttpClient http, string id)
    {
        Assert.True(await gateway.Services.GetRequiredService<SessionHistoryRecorder>().FlushAsync(TestGateway.Timeout));
        var rows = await http.GetFromJsonAsync<JsonElement>("/api/history");
        return Assert.Single(rows.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
    }
}
