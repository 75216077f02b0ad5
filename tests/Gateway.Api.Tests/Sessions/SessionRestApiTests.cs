using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary><c>/api/tunnels</c> end to end: start both ends over REST, use the tunnel, inspect, reset a connection, stop; errors as ProblemDetails; no token ever shown or logged.</summary>
public sealed class SessionRestApiTests
{
    private static readonly JsonElement FastSettingsJson = JsonSerializer.SerializeToElement(new Dictionary<string, object>
    {
        ["tunneling"] = new Dictionary<string, object>
        {
            ["proxy"] = new Dictionary<string, object>
            {
                ["websocket"] = new Dictionary<string, string> { ["ping_period_ms"] = "1000", ["retry_delay_ms"] = "100" },
                ["tcp"] = new Dictionary<string, string> { ["connection_retry_count"] = "1", ["connection_retry_delay_ms"] = "100" },
            },
        },
    });

    [Fact]
    public async Task StartUseInspectResetAndStopSessionsOverRest()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string[] secrets = [tunnel.SourceAccessToken, tunnel.DestinationAccessToken];
        var responses = new List<string>();
        string endpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}";

        // Destination.
        using var destinationResponse = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "destination",
            endpoint,
            accessToken = tunnel.DestinationAccessToken,
            services = $"SSH={echo.Port}",
            caPath = gateway.CaDirectory(),
            settings = FastSettingsJson,
        });
        string destinationText = await destinationResponse.Content.ReadAsStringAsync();
        responses.Add(destinationText);
        Assert.Equal(HttpStatusCode.Created, destinationResponse.StatusCode);
        var destination = JsonDocument.Parse(destinationText).RootElement;
        string destinationId = destination.GetProperty("id").GetString()!;
        Assert.Equal("Destination", destination.GetProperty("mode").GetString());
        Assert.Equal($"/api/tunnels/{destinationId}", destinationResponse.Headers.Location?.OriginalString);

        // Source, on a free port (another test may take the port first: 409, try another).
        int sourcePort = 0;
        string sourceId = string.Empty;
        for (int attempt = 0; attempt < 5 && sourceId.Length == 0; attempt++)
        {
            sourcePort = SessionHarness.FreePort();
            using var sourceResponse = await http.PostAsJsonAsync("/api/tunnels", new
            {
                mode = "source",
                endpoint,
                accessToken = tunnel.SourceAccessToken,
                services = $"SSH={sourcePort}",
                bindAddress = "127.0.0.1",
                caPath = gateway.CaDirectory(),
                settings = FastSettingsJson,
            });
            string sourceText = await sourceResponse.Content.ReadAsStringAsync();
            responses.Add(sourceText);
            if (sourceResponse.StatusCode == HttpStatusCode.Conflict)
            {
                continue;
            }

            Assert.Equal(HttpStatusCode.Created, sourceResponse.StatusCode);
            sourceId = JsonDocument.Parse(sourceText).RootElement.GetProperty("id").GetString()!;
        }

        Assert.NotEmpty(sourceId);
        var sessions = gateway.Sessions();
        await sessions.WaitReadyAsync(destinationId);
        await sessions.WaitReadyAsync(sourceId);

        // A user's client reaches the destination's app.
        using var client = await LocalClient.ConnectAsync(sourcePort);
        await client.EchoRandomAsync(64 * 1024);

        var one = await GetJsonAsync(http, $"/api/tunnels/{sourceId}", responses);
        Assert.Equal("Connected", one.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("stateReason").ValueKind);
        Assert.Equal(64 * 1024, one.GetProperty("bytesToTunnel").GetInt64());
        var service = Assert.Single(one.GetProperty("services").EnumerateArray());
        Assert.Equal(sourcePort, service.GetProperty("listenPort").GetInt32());
        var connection = Assert.Single(service.GetProperty("connections").EnumerateArray());
        string key = connection.GetProperty("key").GetString()!;
        Assert.Equal("SSH.1", key);

        var list = await GetJsonAsync(http, "/api/tunnels", responses);
        var ids = list.EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Contains(sourceId, ids);
        Assert.Contains(destinationId, ids);
        var sources = await GetJsonAsync(http, "/api/tunnels?mode=Source&state=Connected", responses);
        Assert.Contains(sourceId, sources.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.DoesNotContain(destinationId, sources.EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        var logs = await GetJsonAsync(http, $"/api/tunnels/{sourceId}/logs", responses);
        Assert.NotEmpty(logs.EnumerateArray());
        Assert.All(logs.EnumerateArray(), l => Assert.False(string.IsNullOrEmpty(l.GetProperty("message").GetString())));
        responses.Add((await GetJsonAsync(http, $"/api/tunnels/{destinationId}/logs", responses)).GetRawText());

        // Reset one connection: the user's client is closed, the session stays up.
        using (var reset = await http.DeleteAsync(new Uri($"/api/tunnels/{sourceId}/connections/{key}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        await client.WaitClosedAsync(TimeSpan.FromSeconds(5));
        await sessions.WaitForAsync(sourceId, s => s.ActiveConnections == 0);
        await sessions.WaitForAsync(destinationId, s => s.ActiveConnections == 0);
        using (var again = await LocalClient.ConnectAsync(sourcePort))
        {
            await again.EchoRandomAsync();
        }

        using (var unknownConnection = await http.DeleteAsync(new Uri($"/api/tunnels/{sourceId}/connections/SSH.999", UriKind.Relative)))
        {
            await AssertProblemAsync(unknownConnection, HttpStatusCode.NotFound, responses);
        }

        // A source port already in use: 409 naming the port.
        using (var conflict = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "source",
            endpoint,
            accessToken = tunnel.SourceAccessToken,
            services = $"SSH={sourcePort}",
            bindAddress = "127.0.0.1",
            caPath = gateway.CaDirectory(),
        }))
        {
            var problem = await AssertProblemAsync(conflict, HttpStatusCode.Conflict, responses);
            Assert.Contains(sourcePort.ToString(CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Stop both.
        foreach (string id in new[] { sourceId, destinationId })
        {
            using var stop = await http.DeleteAsync(new Uri($"/api/tunnels/{id}", UriKind.Relative));
            string text = await stop.Content.ReadAsStringAsync();
            responses.Add(text);
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
            Assert.Equal("Stopped", JsonDocument.Parse(text).RootElement.GetProperty("state").GetString());
        }

        Assert.Equal("Stopped", (await GetJsonAsync(http, $"/api/tunnels/{sourceId}", responses)).GetProperty("state").GetString());

        foreach (string secret in secrets)
        {
            Assert.All(responses, r => Assert.DoesNotContain(secret, r, StringComparison.Ordinal));
            gateway.Logs.AssertNeverLogged(secret);
        }

        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task BadBodiesGive400NamingEveryBadField()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();

        // A known mode: every other error at once.
        using (var response = await http.PostAsJsonAsync("/api/tunnels", new { mode = "source", services = "SSH=notaport" }))
        {
            var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
            AssertFields(errors, "accessToken", "endpoint", "services");
        }

        // Settings in the reference's JSON format are checked too.
        using (var response = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "destination",
            endpoint = "wss://127.0.0.1:1",
            accessToken = "some-token",
            services = "SSH=22",
            settings = new { tunneling = new { proxy = new { websocket = new { ping_period_ms = "soon" } } } },
        }))
        {
            var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.Contains(errors.EnumerateObject(), p => p.Name.StartsWith("settings", StringComparison.Ordinal));
        }

        // Limits (ours, under tunneling.proxy.limits): each bad one named.
        using (var response = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "destination",
            endpoint = "wss://127.0.0.1:1",
            accessToken = "some-token",
            services = "SSH=22",
            settings = new { tunneling = new { proxy = new { limits = new { session_bytes_per_second_to_tunnel = "10", connection_bytes_per_second = "-1", max_session_connections = "lots" } } } },
        }))
        {
            var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
            var names = errors.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Contains("settings.limits.max_session_connections", names);
        }

        using (var response = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "destination",
            endpoint = "wss://127.0.0.1:1",
            accessToken = "some-token",
            services = "SSH=22",
            settings = new { tunneling = new { proxy = new { limits = new { session_bytes_per_second_to_tunnel = "10", connection_bytes_per_second = "-1" } } } },
        }))
        {
            var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
            AssertFields(errors, "settings.connectionBandwidth", "settings.sessionBandwidthToTunnel");
        }

        // No body at all.
        using (var content = new StringContent(string.Empty, Encoding.UTF8, "application/json"))
        using (var response = await http.PostAsync(new Uri("/api/tunnels", UriKind.Relative), content))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Empty(gateway.Sessions().List());
    }

    /// <summary>
    /// A body-level error (mode, destinationClientType, settings) comes with the spec's other
    /// errors in the same answer, so one round trip shows everything to fix.
    /// </summary>
    [Theory]
    [InlineData("""{"mode":"sideways","services":"SSH=2222"}""", "mode")]
    [InlineData("""{"mode":"source","destinationClientType":"V9","services":"SSH=2222"}""", "destinationClientType")]
    [InlineData("""{"mode":"source","destinationClientType":"1","services":"SSH=2222"}""", "destinationClientType")]
    [InlineData("""{"mode":"source","destinationClientType":"V1,V2","services":"SSH=2222"}""", "destinationClientType")]
    [InlineData("""{"mode":"source","services":"SSH=2222","settings":{"tunneling":{"proxy":{"websocket":{"ping_period_ms":"soon"}}}}}""", "settings.websocket.ping_period_ms")]
    public async Task BodyLevelErrorIsReportedTogetherWithTheSpecErrors(string body, string field)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/api/tunnels", UriKind.Relative), content);
        var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        AssertFields(errors, field, "accessToken", "endpoint");
        Assert.Empty(gateway.Sessions().List());
    }

    /// <summary>Issue 14: a retry delay below the floor is refused with 400 naming the setting, and no session runs.</summary>
    [Theory]
    [InlineData("websocket", "retry_delay_ms", "settings.retryDelayMs")]
    [InlineData("tcp", "connection_retry_delay_ms", "settings.tcpConnectionRetryDelayMs")]
    public async Task RetryDelayBelowTheFloorIsRefusedNamingTheSetting(string group, string key, string field)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        using var response = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "destination",
            endpoint = "wss://127.0.0.1:1",
            accessToken = "some-token",
            services = "SSH=22",
            settings = new Dictionary<string, object>
            {
                ["tunneling"] = new { proxy = new Dictionary<string, object> { [group] = new Dictionary<string, string> { [key] = "0" } } },
            },
        });

        var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        AssertFields(errors, field);
        Assert.Contains($"{group}.{key} must be between 100", errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(gateway.Sessions().List());
    }

    /// <summary>Issue 14: a source map giving two services one port is refused with 400 naming the field, both services and the port.</summary>
    [Fact]
    public async Task TwoSourceServicesOnOnePortAreRefused()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        using var response = await http.PostAsJsonAsync("/api/tunnels", new
        {
            mode = "source",
            endpoint = "wss://127.0.0.1:1",
            accessToken = "some-token",
            services = "SSH1=5555,SSH2=5555",
        });

        var errors = (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        AssertFields(errors, "services");
        Assert.Equal("The services 'SSH1' and 'SSH2' both map to port 5555; give each service its own port.", errors.GetProperty("services")[0].GetString());
        Assert.Empty(gateway.Sessions().List());
    }

    [Fact]
    public async Task UnknownSessionIdGives404Everywhere()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        const string Unknown = "000000000000";

        using (var response = await http.GetAsync(new Uri($"/api/tunnels/{Unknown}", UriKind.Relative)))
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
            Assert.Contains(Unknown, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var response = await http.GetAsync(new Uri($"/api/tunnels/{Unknown}/logs", UriKind.Relative)))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        using (var response = await http.DeleteAsync(new Uri($"/api/tunnels/{Unknown}", UriKind.Relative)))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        using (var response = await http.DeleteAsync(new Uri($"/api/tunnels/{Unknown}/connections/SSH.1", UriKind.Relative)))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }
    }

    private static void AssertFields(JsonElement errors, params string[] fields)
    {
        var named = errors.EnumerateObject().Select(p => p.Name).ToList();
        foreach (string field in fields)
        {
            Assert.True(named.Contains(field, StringComparer.Ordinal), $"no error names '{field}'; errors: {errors}");
        }
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, List<string> responses)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        responses.Add(text);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, List<string>? responses = null)
    {
        string text = await response.Content.ReadAsStringAsync();
        responses?.Add(text);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
