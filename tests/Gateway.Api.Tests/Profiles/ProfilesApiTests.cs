using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Profiles;

/// <summary><c>/api/profiles</c> CRUD over real HTTPS and SQLite: shapes, filters, errors as ProblemDetails naming fields, roles.</summary>
public sealed class ProfilesApiTests
{
    [Fact]
    public async Task CreateGetListReplaceAndDeleteAProfile()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();

        var created = await http.PostJsonAsync("/api/profiles", new
        {
            name = "lab-ssh",
            mode = "dst",
            region = "eu-west-1",
            services = "SSH=127.0.0.1:22,WEB=10.0.0.1:80",
            bindAddress = "127.0.0.1",
            destinationClientType = "v2",
            settings = FastSettingsJson,
            tags = new[] { "lab", "ssh", "LAB" },
            autostart = true,
            accessToken = AccessToken,
        }, HttpStatusCode.Created);
        string id = created.GetProperty("id").GetString()!;
        Assert.Equal("lab-ssh", created.GetProperty("name").GetString());
        Assert.Equal("destination", created.GetProperty("mode").GetString());
        Assert.Equal("eu-west-1", created.GetProperty("region").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("endpoint").ValueKind);
        Assert.False(created.GetProperty("useBuiltInRelay").GetBoolean());
        Assert.Equal("V2", created.GetProperty("destinationClientType").GetString());
        Assert.Equal(["lab", "ssh"], created.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(created.GetProperty("autostart").GetBoolean());
        Assert.True(created.GetProperty("hasAccessToken").GetBoolean());
        Assert.False(created.GetProperty("hasClientToken").GetBoolean());
        Assert.Equal("1000", created.GetProperty("settings").GetProperty("tunneling").GetProperty("proxy").GetProperty("websocket").GetProperty("ping_period_ms").GetString());
        Assert.False(string.IsNullOrEmpty(created.GetProperty("createdBy").GetString()));

        var one = await http.GetJsonAsync($"/api/profiles/{id}");
        Assert.Equal(created.GetRawText(), one.GetRawText());

        var source = await http.PostJsonAsync("/api/profiles", new { name = "lab-source", mode = "source", useBuiltInRelay = true, services = "SSH=2222", tags = new[] { "other" } }, HttpStatusCode.Created);
        Assert.True(source.GetProperty("useBuiltInRelay").GetBoolean());
        Assert.False(source.GetProperty("hasAccessToken").GetBoolean());

        Assert.Equal(["lab-source", "lab-ssh"], Names(await http.GetJsonAsync("/api/profiles")));
        Assert.Equal(["lab-ssh"], Names(await http.GetJsonAsync("/api/profiles?tag=Lab")));
        Assert.Equal(["lab-source"], Names(await http.GetJsonAsync("/api/profiles?mode=src")));
        Assert.Equal(["lab-ssh"], Names(await http.GetJsonAsync("/api/profiles?mode=destination&tag=ssh")));
        Assert.Empty(Names(await http.GetJsonAsync("/api/profiles?mode=source&tag=ssh")));

        // PUT replaces every non-secret field; the token is kept when not given.
        var replaced = await http.PutJsonAsync($"/api/profiles/{id}", new { name = "lab-ssh-2", mode = "destination", endpoint = "relay.example:8443", services = "22" }, HttpStatusCode.OK);
        Assert.Equal(id, replaced.GetProperty("id").GetString());
        Assert.Equal("lab-ssh-2", replaced.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, replaced.GetProperty("region").ValueKind);
        Assert.Equal("relay.example:8443", replaced.GetProperty("endpoint").GetString());
        Assert.Equal(JsonValueKind.Null, replaced.GetProperty("settings").ValueKind);
        Assert.Empty(replaced.GetProperty("tags").EnumerateArray());
        Assert.False(replaced.GetProperty("autostart").GetBoolean());
        Assert.True(replaced.GetProperty("hasAccessToken").GetBoolean());
        Assert.Equal(created.GetProperty("createdAt").GetString(), replaced.GetProperty("createdAt").GetString());

        var withClient = await http.PutJsonAsync($"/api/profiles/{id}", new { name = "lab-ssh-2", mode = "destination", endpoint = "relay.example:8443", clientToken = ClientToken }, HttpStatusCode.OK);
        Assert.True(withClient.GetProperty("hasAccessToken").GetBoolean());
        Assert.True(withClient.GetProperty("hasClientToken").GetBoolean());

        var cleared = await http.PutJsonAsync($"/api/profiles/{id}", new { name = "lab-ssh-2", mode = "destination", endpoint = "relay.example:8443", clearAccessToken = true }, HttpStatusCode.OK);
        Assert.False(cleared.GetProperty("hasAccessToken").GetBoolean());
        Assert.True(cleared.GetProperty("hasClientToken").GetBoolean());

        var clearedClient = await http.PutJsonAsync($"/api/profiles/{id}", new { name = "lab-ssh-2", mode = "destination", endpoint = "relay.example:8443", accessToken = AccessToken, clearClientToken = true }, HttpStatusCode.OK);
        Assert.True(clearedClient.GetProperty("hasAccessToken").GetBoolean());
        Assert.False(clearedClient.GetProperty("hasClientToken").GetBoolean());

        await http.DeleteJsonAsync($"/api/profiles/{id}", HttpStatusCode.NoContent);
        await http.GetJsonAsync($"/api/profiles/{id}", HttpStatusCode.NotFound);
        await http.DeleteJsonAsync($"/api/profiles/{id}", HttpStatusCode.NotFound);
        Assert.Equal(["lab-source"], Names(await http.GetJsonAsync("/api/profiles")));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ACreateWithManyMistakesNamesEveryField()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();

        var problem = await http.PostJsonAsync("/api/profiles", new
        {
            mode = "sideways",
            useBuiltInRelay = true,
            endpoint = "wss://127.0.0.1:5443",
            clientToken = "short",
            destinationClientType = "V9",
            settings = new { tunneling = new { proxy = new { websocket = new { ping_period_ms = "soon" } } } },
            tags = new[] { "ok", string.Empty, new string('t', 65) },
            accessToken = "bad\u0001token",
        }, HttpStatusCode.BadRequest);
        var fields = ErrorFields(problem);
        foreach (string field in new[] { "name", "mode", "useBuiltInRelay", "clientToken", "destinationClientType", "tags", "accessToken" })
        {
            Assert.Contains(field, fields);
        }

        Assert.Contains(fields, f => f.StartsWith("settings", StringComparison.Ordinal));
        Assert.Equal(2, ErrorMessages(problem, "tags").Count);

        // A known mode: services are judged too; neither region, endpoint nor relay is an endpoint error.
        var second = await http.PostJsonAsync("/api/profiles", new { name = "x", mode = "source", services = "SSH=notaport", bindAddress = "[::1]" }, HttpStatusCode.BadRequest);
        Assert.Equal(["bindAddress", "endpoint", "services"], ErrorFields(second));

        var third = await http.PostJsonAsync("/api/profiles", new { name = "x", mode = "source", region = "us-east-1", endpoint = "relay.local", tags = Enumerable.Range(0, 33).Select(i => $"t{i}").ToArray() }, HttpStatusCode.BadRequest);
        Assert.Equal(["endpoint", "tags"], ErrorFields(third));

        var tooLong = await http.PostJsonAsync("/api/profiles", DestinationBody(new string('n', 201)), HttpStatusCode.BadRequest);
        Assert.Equal(["name"], ErrorFields(tooLong));

        // No body, and a body that is not JSON.
        using (var empty = new StringContent(string.Empty, Encoding.UTF8, "application/json"))
        using (var response = await http.PostAsync(new Uri("/api/profiles", UriKind.Relative), empty))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["body"], ErrorFields(body));
        }

        using (var broken = new StringContent("{\"name\": \"x\", \"tags\": 5}", Encoding.UTF8, "application/json"))
        using (var response = await http.PostAsync(new Uri("/api/profiles", UriKind.Relative), broken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(["tags"], ErrorFields(await response.Content.ReadFromJsonAsync<JsonElement>()));
        }

        Assert.Equal(["mode"], ErrorFields(await http.GetJsonAsync("/api/profiles?mode=sideways", HttpStatusCode.BadRequest)));
        Assert.Empty(Names(await http.GetJsonAsync("/api/profiles")));
    }

    [Fact]
    public async Task NamesAreUniqueCaseInsensitively()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        await http.PostJsonAsync("/api/profiles", DestinationBody("Lab-SSH"), HttpStatusCode.Created);
        string otherId = (await http.PostJsonAsync("/api/profiles", DestinationBody("Ärger"), HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var taken = await http.PostJsonAsync("/api/profiles", DestinationBody("lab-ssh"), HttpStatusCode.Conflict);
        Assert.Equal(["name"], ErrorFields(taken));
        Assert.Contains("lab-ssh", taken.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Beyond ASCII too (SQLite's NOCASE folds only A-Z).
        await http.PostJsonAsync("/api/profiles", DestinationBody("ärger"), HttpStatusCode.Conflict);

        // Renaming onto a taken name is a conflict; keeping one's own name (in another case) is not.
        var renamed = await http.PutJsonAsync($"/api/profiles/{otherId}", DestinationBody(" LAB-ssh "), HttpStatusCode.Conflict);
        Assert.Equal(["name"], ErrorFields(renamed));
        var recased = await http.PutJsonAsync($"/api/profiles/{otherId}", DestinationBody("ÄRGER"), HttpStatusCode.OK);
        Assert.Equal("ÄRGER", recased.GetProperty("name").GetString());
        Assert.Equal(["Lab-SSH", "ÄRGER"], Names(await http.GetJsonAsync("/api/profiles")));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ReplaceChecksItsBodyAndTheId()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        string id = (await http.PostJsonAsync("/api/profiles", DestinationBody("p", new() { ["accessToken"] = AccessToken }), HttpStatusCode.Created)).GetProperty("id").GetString()!;

        await http.PutJsonAsync("/api/profiles/nosuchprofile", DestinationBody("p"), HttpStatusCode.NotFound);

        var both = await http.PutJsonAsync($"/api/profiles/{id}", DestinationBody("p", new() { ["accessToken"] = "new-token", ["clearAccessToken"] = true, ["clientToken"] = ClientToken, ["clearClientToken"] = true }), HttpStatusCode.BadRequest);
        Assert.Equal(["clearAccessToken", "clearClientToken"], ErrorFields(both));

        var invalid = await http.PutJsonAsync($"/api/profiles/{id}", new { name = "p", mode = "destination" }, HttpStatusCode.BadRequest);
        Assert.Equal(["endpoint"], ErrorFields(invalid));

        // Nothing changed by the refused calls.
        var unchanged = await http.GetJsonAsync($"/api/profiles/{id}");
        Assert.Equal("us-east-1", unchanged.GetProperty("region").GetString());
        Assert.True(unchanged.GetProperty("hasAccessToken").GetBoolean());
    }

    [Fact]
    public async Task AViewerReadsButCannotChangeProfiles()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        string id = (await admin.PostJsonAsync("/api/profiles", DestinationBody("shared"), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var viewer = gateway.CreateClient(await gateway.CreateViewerKeyAsync());

        Assert.Equal(["shared"], Names(await viewer.GetJsonAsync("/api/profiles")));
        Assert.Equal("shared", (await viewer.GetJsonAsync($"/api/profiles/{id}")).GetProperty("name").GetString());
        Assert.Equal(1, (await viewer.GetJsonAsync("/api/profiles/export")).GetProperty("profiles").GetArrayLength());

        await AssertStatusAsync(viewer, HttpMethod.Post, "/api/profiles", DestinationBody("mine"), HttpStatusCode.Forbidden);
        await AssertStatusAsync(viewer, HttpMethod.Put, $"/api/profiles/{id}", DestinationBody("renamed"), HttpStatusCode.Forbidden);
        await AssertStatusAsync(viewer, HttpMethod.Delete, $"/api/profiles/{id}", null, HttpStatusCode.Forbidden);
        await AssertStatusAsync(viewer, HttpMethod.Post, "/api/profiles/import", new { format = "tunnelgateway-profiles", version = 1, profiles = Array.Empty<object>() }, HttpStatusCode.Forbidden);
        await AssertStatusAsync(viewer, HttpMethod.Post, "/api/profiles/import-config", new { name = "cfg", config = "region = us-east-1\nmode = src\n" }, HttpStatusCode.Forbidden);

        using var anonymous = gateway.CreateClient(apiKey: null);
        await AssertStatusAsync(anonymous, HttpMethod.Get, "/api/profiles", null, HttpStatusCode.Unauthorized);
        await AssertStatusAsync(anonymous, HttpMethod.Post, "/api/profiles", DestinationBody("anon"), HttpStatusCode.Unauthorized);

        Assert.Equal(["shared"], Names(await admin.GetJsonAsync("/api/profiles")));
    }

    private static List<string> Names(JsonElement list) => [.. list.EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];

    private static async Task AssertStatusAsync(HttpClient http, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }
}
