using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Relay;

public sealed class RelayTunnelsApiTests
{
    [Fact]
    public async Task CreateReturnsTokensOnceAndListAndGetNeverShowThem()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH", "WEB" }, lifetimeMinutes = 30, description = "lab" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("tunnelId").GetString()!;
        var sourceToken = created.RootElement.GetProperty("sourceAccessToken").GetString()!;
        var destinationToken = created.RootElement.GetProperty("destinationAccessToken").GetString()!;
        Assert.NotEqual(sourceToken, destinationToken);
        Assert.True(sourceToken.Length >= 40);
        Assert.Equal($"/api/relay/tunnels/{id}", response.Headers.Location?.OriginalString);
        var expires = created.RootElement.GetProperty("expiresAt").GetDateTimeOffset() - created.RootElement.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromMinutes(30), expires);

        var list = await client.GetStringAsync("/api/relay/tunnels");
        var one = await client.GetStringAsync($"/api/relay/tunnels/{id}");
        foreach (var body in new[] { list, one })
        {
            Assert.Contains(id, body, StringComparison.Ordinal);
            Assert.DoesNotContain(sourceToken, body, StringComparison.Ordinal);
            Assert.DoesNotContain(destinationToken, body, StringComparison.Ordinal);
            Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
        }

        using var tunnel = JsonDocument.Parse(one);
        Assert.Equal("Open", tunnel.RootElement.GetProperty("state").GetString());
        Assert.Equal("lab", tunnel.RootElement.GetProperty("description").GetString());
        Assert.False(tunnel.RootElement.GetProperty("source").GetProperty("connected").GetBoolean());
        Assert.False(tunnel.RootElement.GetProperty("destination").GetProperty("tokenUsed").GetBoolean());

        gateway.Logs.AssertNeverLogged(sourceToken);
        gateway.Logs.AssertNeverLogged(destinationToken);
    }

    [Fact]
    public async Task GetShowsConnectedEndsAndDeleteClosesTheTunnel()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using (source)
        await using (destination)
        {
            using (var open = JsonDocument.Parse(await client.GetStringAsync($"/api/relay/tunnels/{tunnel.TunnelId}")))
            {
                var sourceEnd = open.RootElement.GetProperty("source");
                Assert.True(sourceEnd.GetProperty("connected").GetBoolean());
                Assert.True(sourceEnd.GetProperty("tokenUsed").GetBoolean());
                Assert.Equal(1, sourceEnd.GetProperty("connections").GetInt32());
                Assert.StartsWith("127.0.0.1:", sourceEnd.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
                Assert.True(open.RootElement.GetProperty("destination").GetProperty("connected").GetBoolean());
            }

            var deleted = await client.DeleteAsync($"/api/relay/tunnels/{tunnel.TunnelId}");
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            using var closed = JsonDocument.Parse(await deleted.Content.ReadAsStringAsync());
            Assert.Equal("Closed", closed.RootElement.GetProperty("state").GetString());
            Assert.Equal("Tunnel closed", closed.RootElement.GetProperty("endReason").GetString());
            Assert.False(closed.RootElement.GetProperty("source").GetProperty("connected").GetBoolean());
        }
    }

    [Theory]
    [InlineData("""{"services":["bad id"]}""", "services[0]")]
    [InlineData("""{"services":["SSH","SSH"]}""", "services[1]")]
    [InlineData("""{"services":[""]}""", "services[0]")]
    [InlineData("""{"lifetimeMinutes":0}""", "lifetimeMinutes")]
    [InlineData("""{"lifetimeMinutes":721}""", "lifetimeMinutes")]
    [InlineData("""{"services":"SSH"}""", "services")]
    [InlineData("""{"lifetimeMinutes":"soon"}""", "lifetimeMinutes")]
    [InlineData("""{"services":[""", "services[0]")]
    [InlineData("""not json""", "body")]
    public async Task InvalidCreateRequestsAre400ProblemDetailsNamingTheField(string json, string field)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        var response = await client.PostAsync("/api/relay/tunnels", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {errors}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task DescriptionOverTheLimitIsRejected()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { description = new string('x', 2049) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("description", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyBodyCreatesATunnelWithNoServicesAndTheDefaultLifetime()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, created.RootElement.GetProperty("services").GetArrayLength());
        var lifetime = created.RootElement.GetProperty("expiresAt").GetDateTimeOffset() - created.RootElement.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(12), lifetime);
    }

    [Fact]
    public async Task UnknownTunnelIs404ProblemDetails()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        foreach (var response in new[] { await client.GetAsync("/api/relay/tunnels/nope"), await client.DeleteAsync("/api/relay/tunnels/nope") })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("nope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PlainHttpServesTheApiOnLoopback()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = new HttpClient { BaseAddress = gateway.HttpBase, Timeout = TestGateway.Timeout };
        client.DefaultRequestHeaders.Add("X-Api-Key", TestGateway.AdminApiKey);

        var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
