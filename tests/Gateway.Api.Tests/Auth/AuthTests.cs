using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Auth;

/// <summary>Authentication and roles through the real host: API keys, the cookie login, anti-forgery, rate limiting, the first admin.</summary>
public sealed class AuthTests
{
    [Fact]
    public async Task EverythingButHealthzNeedsALoginAndAnswers401ProblemDetails()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var anonymous = gateway.CreateClient(apiKey: null);

        foreach (var (method, path) in new[] { ("GET", "/api/tunnels"), ("POST", "/api/relay/tunnels"), ("GET", "/api/keys"), ("GET", "/api/users"), ("GET", "/api/history"), ("GET", "/api/audit"), ("GET", "/api/auth/me") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { services = new[] { "SSH" } }) };
            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task AWrongApiKeyIsRejected()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient(apiKey: "tg_000000000000_not-a-key-that-exists-anywhere");

        using var response = await client.GetAsync("/api/tunnels");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ViewerReadsButCannotStartSessionsOrCreateTunnels()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var viewer = gateway.CreateClient(await CreateKeyAsync(gateway, "viewer"));

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tunnels")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/relay/tunnels")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/tunnels", new { mode = "source" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/tunnels/abc")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/audit")).StatusCode);
    }

    [Fact]
    public async Task OnlyAdminsListUsersAndApiKeys()
    {
        await using var gateway = await TestGateway.StartAsync();
        foreach (string role in new[] { "viewer", "operator" })
        {
            using var client = gateway.CreateClient(await CreateKeyAsync(gateway, role));
            foreach (string path in new[] { "/api/users", "/api/keys" })
            {
                using var response = await client.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} GET {path}: {(int)response.StatusCode}");
                Assert.DoesNotContain("bootstrap", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        using var admin = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task OperatorStartsSessionsButCannotManageKeysUsersOrRelayTunnels()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var operatorClient = gateway.CreateClient(await CreateKeyAsync(gateway, "operator"));

        // Past the role check: the (empty) spec itself is what is refused.
        using var start = await operatorClient.PostAsJsonAsync("/api/tunnels", new { mode = "source" });
        Assert.Equal(HttpStatusCode.BadRequest, start.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.DeleteAsync("/api/tunnels/unknown")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/keys", new { name = "x", role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/users", new { userName = "x", password = "0123456789abc", role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } })).StatusCode);
    }

    [Fact]
    public async Task AnApiKeyIsShownOnceStoredHashedAndStopsWorkingWhenRevoked()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string key;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory))
        {
            using var admin = gateway.CreateClient();
            using var created = await admin.PostAsJsonAsync("/api/keys", new { name = "ci", role = "operator", expiresInDays = 30 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            key = body.GetProperty("key").GetString()!;
            string id = body.GetProperty("id").GetString()!;
            Assert.StartsWith($"tg_{id}_", key, StringComparison.Ordinal);

            string listed = await admin.GetStringAsync("/api/keys");
            Assert.Contains("\"ci\"", listed, StringComparison.Ordinal);
            Assert.DoesNotContain(key, listed, StringComparison.Ordinal);

            using var withKey = gateway.CreateClient(key);
            Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync("/api/tunnels")).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await withKey.GetAsync("/api/tunnels")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/keys/nosuchkey")).StatusCode);
            gateway.Logs.AssertNeverLogged(key);
        }

        AssertNotInDatabaseFiles(dataDirectory, key);
    }

    [Fact]
    public async Task ApiKeyRequestsAreValidated()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();

        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = "", role = "root", expiresInDays = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("role", out _));
        Assert.True(errors.TryGetProperty("expiresInDays", out _));
    }

    [Fact]
    public async Task CookieLoginReadsFreelyButChangesNeedTheAntiforgeryToken()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var browser = gateway.CreateClient(apiKey: null);

        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var me = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("admin", me.GetProperty("role").GetString());
        string csrf = me.GetProperty("csrfToken").GetString()!;
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("tg_auth=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/tunnels")).StatusCode);
        using var forged = await browser.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("X-CSRF-TOKEN", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/relay/tunnels") { Content = JsonContent.Create(new { services = new[] { "SSH" } }) };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        using var allowed = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        logout.Headers.Add("X-CSRF-TOKEN", csrf);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(logout)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/tunnels")).StatusCode);
    }

    [Fact]
    public async Task WrongPasswordsAreRefusedAndLoginAttemptsAreRateLimited()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Auth:LoginAttemptsPerMinute"] = "3" });
        using var browser = gateway.CreateClient(apiKey: null);

        for (int i = 0; i < 3; i++)
        {
            using var wrong = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "not-the-password" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var limited = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null || limited.Headers.Contains("Retry-After"));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        gateway.Logs.AssertNeverLogged("not-the-password");
    }

    [Fact]
    public async Task WithoutAConfiguredPasswordTheFirstAdminGetsAGeneratedOnePrintedOnce()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        var noPassword = new Dictionary<string, string?> { ["Auth:AdminPassword"] = null };
        string password;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory, settings: noPassword))
        {
            var line = Assert.Single(gateway.Logs.Lines, l => l.EventId == 3010);
            password = line.Message[(line.Message.IndexOf("password: ", StringComparison.Ordinal) + "password: ".Length)..].Split(' ')[0];
            Assert.Equal(20, password.Length);

            using var browser = gateway.CreateClient(apiKey: null);
            Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password })).StatusCode);
        }

        await using (var restarted = await TestGateway.StartAsync(dataDirectory, settings: noPassword))
        {
            Assert.DoesNotContain(restarted.Logs.Lines, l => l.EventId == 3010);
            using var browser = restarted.CreateClient(apiKey: null);
            Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password })).StatusCode);
        }
    }

    [Fact]
    public async Task AConfiguredAdminPasswordResetsTheAdminOnRestart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        await using (await TestGateway.StartAsync(dataDirectory))
        {
        }

        const string newPassword = "a-brand-new-admin-password";
        await using var gateway = await TestGateway.StartAsync(dataDirectory, settings: new Dictionary<string, string?> { ["Auth:AdminPassword"] = newPassword });
        using var browser = gateway.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = newPassword })).StatusCode);
        gateway.Logs.AssertNeverLogged(newPassword);
    }

    [Fact]
    public async Task AdminsManageUsersAndTheLastAdminStays()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();

        using var created = await admin.PostAsJsonAsync("/api/users", new { userName = "vera", password = "vera-password-123", role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain("vera-password-123", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/users", new { userName = "vera", password = "another-password-1", role = "viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/users", new { userName = "bad name!", password = "short", role = "boss" })).StatusCode);

        using var vera = gateway.CreateClient(apiKey: null);
        var me = await (await vera.PostAsJsonAsync("/api/auth/login", new { userName = "vera", password = "vera-password-123" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("viewer", me.GetProperty("role").GetString());
        using var denied = new HttpRequestMessage(HttpMethod.Delete, "/api/users/admin");
        denied.Headers.Add("X-CSRF-TOKEN", me.GetProperty("csrfToken").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await vera.SendAsync(denied)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.DeleteAsync("/api/users/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/users/admin", new { role = "viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/users/vera", new { role = "operator" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/users/vera")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/users/vera")).StatusCode);
    }

    [Fact]
    public async Task ALoginEndsAtOnceWhenItsUserIsDemotedRepasswordedOrDeleted()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/users", new { userName = "otto", password = "otto-password-123", role = "operator" })).StatusCode);

        async Task<HttpClient> LoginAsync(string password)
        {
            var browser = gateway.CreateClient(apiKey: null);
            Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { userName = "otto", password })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/tunnels")).StatusCode);
            return browser;
        }

        using (var demoted = await LoginAsync("otto-password-123"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/users/otto", new { role = "viewer" })).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await demoted.GetAsync("/api/tunnels")).StatusCode);
        }

        using (var repassworded = await LoginAsync("otto-password-123"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/users/otto", new { password = "otto-password-456" })).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await repassworded.GetAsync("/api/tunnels")).StatusCode);
        }

        using var deleted = await LoginAsync("otto-password-456");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/users/otto")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await deleted.GetAsync("/api/tunnels")).StatusCode);
    }

    [Fact]
    public async Task EveryMutatingCallIsAudited()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        using var viewer = gateway.CreateClient(await CreateKeyAsync(gateway, "viewer"));

        using var created = await admin.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } });
        string sourceToken = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sourceAccessToken").GetString()!;
        await viewer.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } });
        await gateway.CreateClient(apiKey: null).PostAsJsonAsync("/api/tunnels", new { mode = "source" });
        await gateway.CreateClient(apiKey: null).PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "wrong-password-here" });

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit");
        var entries = audit.EnumerateArray().Select(e => (Actor: e.GetProperty("actor").GetString(), Path: e.GetProperty("path").GetString(), Status: e.GetProperty("status").GetInt32())).ToList();
        Assert.Contains(("key:bootstrap", "/api/relay/tunnels", 201), entries);
        Assert.Contains(("key:viewer-key", "/api/relay/tunnels", 403), entries);
        Assert.DoesNotContain(entries, e => e.Actor == "anonymous" && e.Path == "/api/tunnels");
        Assert.Contains(("anonymous", "/api/auth/login", 401), entries);
        Assert.Contains(entries, e => e.Path == "/api/keys" && e.Status == 201);
        Assert.DoesNotContain(sourceToken, audit.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<string> CreateKeyAsync(TestGateway gateway, string role)
    {
        using var admin = gateway.CreateClient();
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = role + "-key", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static void AssertNotInDatabaseFiles(string dataDirectory, string secret)
    {
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "gateway.db*"))
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{file} holds the secret in UTF-8");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, $"{file} holds the secret in UTF-16");
        }
    }
}
