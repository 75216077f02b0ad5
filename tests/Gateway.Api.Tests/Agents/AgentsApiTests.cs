using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Agents;

public sealed class AgentsApiTests
{
    [Fact]
    public async Task BadFieldsAreRefusedNamingTheField_SecretsAreNeverReturned()
    {
        using var pki = new TestPki();
        using var other = new TestPki("another CA");
        var (certificate, key) = pki.Issue("pump-17", server: false);
        var (_, otherKey) = other.Issue("pump-18", server: false);
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var client = gateway.CreateClient();
        object Body(string? thing = "pump-17", int? port = 8883, string services = "SSH=127.0.0.1:22", string? cert = null, string? keyPem = null, string? caPem = null, bool tls = true, string? password = null) =>
            new { thingName = thing, host = "127.0.0.1", port, tls, services, clientCertificatePem = cert, clientKeyPem = keyPem, caPem, password, enabled = false };

        await AssertFieldAsync(client, "Bad_Name", Body(), "name");
        await AssertFieldAsync(client, "pump", Body(thing: null), "thingName");
        await AssertFieldAsync(client, "pump", Body(thing: "pump 17"), "thingName");
        await AssertFieldAsync(client, "pump", Body(port: 70000), "port");
        await AssertFieldAsync(client, "pump", Body(services: "SSH=127.0.0.1:22,SSH"), "services");
        await AssertFieldAsync(client, "pump", Body(services: "SSH=host:99999"), "services");
        await AssertFieldAsync(client, "pump", Body(services: "SSH=127.0.0.1:22,SSH=127.0.0.1:23"), "services");
        await AssertFieldAsync(client, "pump", Body(cert: certificate, keyPem: otherKey), "clientKeyPem");
        await AssertFieldAsync(client, "pump", Body(cert: certificate), "clientKeyPem");
        await AssertFieldAsync(client, "pump", Body(caPem: "not a certificate"), "caPem");
        await AssertFieldAsync(client, "pump", Body(cert: certificate, keyPem: key, tls: false), "clientCertificatePem");
        await AssertFieldAsync(client, "pump", Body(password: "secret-without-user"), "password");
        await AssertFieldAsync(client, "pump", new { thingName = "pump-17", host = "no such host!", services = "SSH=22" }, "host");

        // A good agent: the certificate's subject and expiry are shown, never the key, certificate or password.
        using var created = await client.PutAsJsonAsync("/api/agents/pump", new
        {
            thingName = "pump-17", host = "127.0.0.1", services = "SSH=127.0.0.1:22,WEB=10.0.0.7:80", caPem = pki.CaPem,
            clientCertificatePem = certificate, clientKeyPem = key, userName = "device", password = "broker-password-1", enabled = false,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string text = await client.GetStringAsync("/api/agents/pump");
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN CERTIFICATE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("broker-password-1", text, StringComparison.Ordinal);
        var agent = JsonDocument.Parse(text).RootElement;
        Assert.Equal("CN=pump-17", agent.GetProperty("certificateSubject").GetString());
        Assert.True(agent.GetProperty("hasPassword").GetBoolean());
        Assert.Equal(8883, agent.GetProperty("port").GetInt32());
        Assert.Equal("pump-17", agent.GetProperty("clientId").GetString());
        Assert.Equal("$aws/things/pump-17/tunnels/notify", agent.GetProperty("topic").GetString());
        Assert.Equal("disabled", agent.GetProperty("status").GetProperty("state").GetString());

        // Updating without the secrets keeps them; the database holds them encrypted only.
        using var updated = await client.PutAsJsonAsync("/api/agents/pump", new { thingName = "pump-17", host = "127.0.0.1", services = "SSH=22", userName = "device", enabled = false });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var kept = JsonDocument.Parse(await updated.Content.ReadAsStringAsync()).RootElement;
        Assert.True(kept.GetProperty("hasClientCertificate").GetBoolean());
        Assert.True(kept.GetProperty("hasPassword").GetBoolean());
        byte[] database = await File.ReadAllBytesAsync(Path.Combine(gateway.DataDirectory, "gateway.db"));
        string raw = System.Text.Encoding.UTF8.GetString(database);
        Assert.DoesNotContain("PRIVATE KEY", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("broker-password-1", raw, StringComparison.Ordinal);

        // Viewers read, only admins change.
        using var viewer = gateway.CreateClient(await CreateKeyAsync(gateway, "viewer"));
        using var @operator = gateway.CreateClient(await CreateKeyAsync(gateway, "operator"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.PutAsJsonAsync("/api/agents/pump", new { thingName = "x", host = "127.0.0.1", services = "22" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await @operator.DeleteAsync("/api/agents/pump")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/agents/pump")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/agents/pump")).StatusCode);
        gateway.Logs.AssertNeverLogged("broker-password-1");
    }

    private static async Task AssertFieldAsync(HttpClient client, string name, object body, string field)
    {
        using var response = await client.PutAsJsonAsync($"/api/agents/{name}", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error for {field}: {text}");
    }

    private static async Task<string> CreateKeyAsync(TestGateway gateway, string role)
    {
        using var admin = gateway.CreateClient();
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = role + "-key", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }
}
