using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Api.Profiles;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Profiles;

/// <summary>Export without tokens, import all or nothing, and import of a reference --config file with its --config-dir.</summary>
public sealed class ProfileImportTests
{
    [Fact]
    public async Task ExportHoldsNoTokenAndImportRoundTripsOnAnotherGateway()
    {
        var transcript = new Transcript();
        JsonElement exported;
        await using (var first = await TestGateway.StartAsync())
        {
            using var http = first.CreateClient();
            await http.PostJsonAsync("/api/profiles", DestinationBody("web", new()
            {
                ["services"] = "WEB=10.0.0.1:80",
                ["tags"] = new[] { "prod", "web" },
                ["settings"] = FastSettingsJson,
                ["destinationClientType"] = "V1",
                ["accessToken"] = AccessToken,
                ["clientToken"] = ClientToken,
            }), HttpStatusCode.Created);
            await http.PostJsonAsync("/api/profiles", new { name = "bastion", mode = "source", useBuiltInRelay = true, services = "SSH=2222", bindAddress = "127.0.0.1", autostart = true, skipTlsVerify = true }, HttpStatusCode.Created);

            exported = await http.GetJsonAsync("/api/profiles/export", HttpStatusCode.OK, transcript);
            Assert.Equal("tunnelgateway-profiles", exported.GetProperty("format").GetString());
            Assert.Equal(1, exported.GetProperty("version").GetInt32());
            var web = exported.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "web");
            Assert.False(web.TryGetProperty("accessToken", out _));
            Assert.False(web.TryGetProperty("hasAccessToken", out _));
            Assert.False(web.TryGetProperty("id", out _));
            Assert.Equal("V1", web.GetProperty("destinationClientType").GetString());
            transcript.AssertNoneContains(AccessToken);
            transcript.AssertNoneContains(ClientToken);
        }

        await using var second = await TestGateway.StartAsync();
        using var client = second.CreateClient();
        var created = await client.PostJsonAsync("/api/profiles/import", exported, HttpStatusCode.Created, transcript);
        Assert.Equal(["bastion", "web"], created.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.All(created.EnumerateArray(), p => Assert.False(p.GetProperty("hasAccessToken").GetBoolean()));
        Assert.All(created.EnumerateArray(), p => Assert.False(p.GetProperty("hasClientToken").GetBoolean()));

        var again = await client.GetJsonAsync("/api/profiles/export");
        Assert.Equal(exported.GetProperty("profiles").GetRawText(), again.GetProperty("profiles").GetRawText());
        second.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ALargeImportIsRefusedBySizeBeforeItIsRead()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();

        // 9 MiB, announced with Expect: 100-continue: the answer comes from the declared length alone,
        // before a byte of the body is sent (and so before anything is parsed).
        using var response = await SendLargeAsync(http, "/api/profiles/import", $"{{\"format\":\"{new string('x', 9 * 1024 * 1024)}\",\"version\":1,\"profiles\":[]}}");

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("8388608 bytes", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await http.GetFromJsonAsync<JsonElement[]>("/api/profiles") ?? []);

        using var configResponse = await SendLargeAsync(http, "/api/profiles/import-config", $"{{\"name\":\"big\",\"config\":\"{new string('#', 1024 * 1024)}\"}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, configResponse.StatusCode);
        Assert.Contains("1048576 bytes", (await configResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        gateway.Logs.AssertNoErrors();
    }

    private static Task<HttpResponseMessage> SendLargeAsync(HttpClient http, string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        return http.SendAsync(request);
    }

    [Fact]
    public async Task ImportIsAllOrNothing()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        await http.PostJsonAsync("/api/profiles", DestinationBody("Existing"), HttpStatusCode.Created);

        var document = new
        {
            format = "tunnelgateway-profiles",
            version = 1,
            profiles = new[] { DestinationBody("fresh"), DestinationBody("existing"), DestinationBody("also-fresh") },
        };
        var conflict = await http.PostJsonAsync("/api/profiles/import", document, HttpStatusCode.Conflict);
        Assert.Equal(["existing"], conflict.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(["profiles[1].name"], ErrorFields(conflict));
        Assert.Contains("existing", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Existing"], (await http.GetJsonAsync("/api/profiles")).EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        // Bad documents: every problem at once, fields as JSON paths.
        var invalid = await http.PostJsonAsync("/api/profiles/import", new
        {
            format = "something-else",
            version = 2,
            profiles = new object?[]
            {
                DestinationBody("one", new() { ["mode"] = "sideways" }),
                DestinationBody("two"),
                DestinationBody("TWO"),
                null,
            },
        }, HttpStatusCode.BadRequest);
        Assert.Equal(["format", "profiles[0].mode", "profiles[2].name", "profiles[3]", "version"], ErrorFields(invalid));
        Assert.Equal(["profiles"], ErrorFields(await http.PostJsonAsync("/api/profiles/import", new { format = "tunnelgateway-profiles", version = 1 }, HttpStatusCode.BadRequest)));
        Assert.Single((await http.GetJsonAsync("/api/profiles")).EnumerateArray());

        // An empty document imports nothing, successfully.
        Assert.Empty((await http.PostJsonAsync("/api/profiles/import", new { format = "tunnelgateway-profiles", version = 1, profiles = Array.Empty<object>() }, HttpStatusCode.Created)).EnumerateArray());
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ImportsAReferenceConfigFileWithItsConfigDirectory()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        var transcript = new Transcript();
        const string Config = """
            # localproxy --config file
            region = us-east-1
            access-token = AT-profile-secret-0c8f5b2e-acc3ss-t0ken-9d41
            mode = dst
            local-bind-address = 127.0.0.1
            no-ssl-host-verify = yes
            destination-client-type = V2
            """;
        var created = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            name = "from-config",
            config = Config.Replace("\n", "\r\n", StringComparison.Ordinal),
            configDir = new Dictionary<string, string>
            {
                ["b/web.ini"] = "SSH = 10.9.9.9:22\nWEB = 10.0.0.1:80\n",
                ["a.ini"] = "; the first file by name wins\nSSH = 127.0.0.1:22\n\n# comment\nRDP=3389\n",
            },
        }, HttpStatusCode.Created, transcript);
        Assert.Equal("destination", created.GetProperty("mode").GetString());
        Assert.Equal("us-east-1", created.GetProperty("region").GetString());
        Assert.Equal("SSH=127.0.0.1:22,RDP=3389,WEB=10.0.0.1:80", created.GetProperty("services").GetString());
        Assert.Equal("127.0.0.1", created.GetProperty("bindAddress").GetString());
        Assert.True(created.GetProperty("skipTlsVerify").GetBoolean());
        Assert.Equal("V2", created.GetProperty("destinationClientType").GetString());
        Assert.True(created.GetProperty("hasAccessToken").GetBoolean());
        transcript.AssertNoneContains(AccessToken);
        gateway.Logs.AssertNeverLogged(AccessToken);

        var profile = await ProfileSecretsTests.LoadAsync(gateway, created.GetProperty("id").GetString()!);
        var spec = gateway.Services.GetRequiredService<ProfileSessionSpecs>().Build(profile);
        Assert.True(spec.IsValid, string.Join("; ", spec.Errors.Select(e => $"{e.Field}: {e.Message}")));
        Assert.Equal(AccessToken, spec.Spec!.AccessToken);

        // A map in the file itself; the body's token wins over the file's.
        var source = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            name = "source-config",
            config = "proxy-endpoint = relay.example:8443\nsource-listen-port = SSH1=5555,SSH2=6666\naccess-token = from-file\n",
            accessToken = AccessToken + "-body",
        }, HttpStatusCode.Created);
        Assert.Equal("source", source.GetProperty("mode").GetString());
        Assert.Equal("relay.example:8443", source.GetProperty("endpoint").GetString());
        Assert.Equal("SSH1=5555,SSH2=6666", source.GetProperty("services").GetString());
        var sourceSpec = gateway.Services.GetRequiredService<ProfileSessionSpecs>().Build(await ProfileSecretsTests.LoadAsync(gateway, source.GetProperty("id").GetString()!));
        Assert.Equal(AccessToken + "-body", sourceSpec.Spec!.AccessToken);

        await http.PostJsonAsync("/api/profiles/import-config", new { name = "FROM-CONFIG", config = "region = us-east-1\nmode = src\n" }, HttpStatusCode.Conflict);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ImportConfigSkipsTheProcessOptionsWithAWarningListingThemAndTakesASettingsFile()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        const string settingsFile = "{\"tunneling\": {\"proxy\": {\"websocket\": {\"ping_period_ms\": \"7000\"}}}}";

        // A file written for the reference's process: its log level and its own files are not a profile's.
        var created = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            name = "from-process-config",
            config = "region = us-east-1\nverbose = 5\nsource-listen-port = SSH=5555\nsettings-json = /etc/localproxy/settings.json\nconfig-dir = /etc/localproxy/services\n",
            settingsJson = settingsFile,
        }, HttpStatusCode.Created);
        Assert.Equal("source", created.GetProperty("mode").GetString());
        Assert.Equal("SSH=5555", created.GetProperty("services").GetString());
        Assert.Equal("7000", created.GetProperty("settings").GetProperty("tunneling").GetProperty("proxy").GetProperty("websocket").GetProperty("ping_period_ms").GetString());
        string warning = Assert.Single(created.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("Ignored verbose (line 2), settings-json (line 4), config-dir (line 5)", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/localproxy", warning, StringComparison.Ordinal);

        // Stored as any profile: no warnings afterwards.
        var stored = await http.SendJsonAsync(HttpMethod.Get, $"/api/profiles/{created.GetProperty("id").GetString()}", null, HttpStatusCode.OK);
        Assert.False(stored.TryGetProperty("warnings", out _));

        // Without settingsJson the warning says how to bring the settings file along; a clean file has no warnings.
        var withoutSettings = await http.PostJsonAsync("/api/profiles/import-config", new { name = "no-settings", config = "region = us-east-1\nmode = src\nsettings-json = s.json\n" }, HttpStatusCode.Created);
        Assert.Contains("settingsJson", Assert.Single(withoutSettings.GetProperty("warnings").EnumerateArray()).GetString(), StringComparison.Ordinal);
        var clean = await http.PostJsonAsync("/api/profiles/import-config", new { name = "clean", config = "region = us-east-1\nmode = src\n" }, HttpStatusCode.Created);
        Assert.False(clean.TryGetProperty("warnings", out _));

        // A settings file that is not JSON, or has a bad value, is a 400 naming settingsJson.
        var notJson = await http.PostJsonAsync("/api/profiles/import-config", new { name = "bad", config = "region = us-east-1\nmode = src\n", settingsJson = "{ not json" }, HttpStatusCode.BadRequest);
        Assert.Equal(["settingsJson"], ErrorFields(notJson));
        var badValue = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            name = "bad",
            config = "region = us-east-1\nmode = src\n",
            settingsJson = "{\"tunneling\": {\"proxy\": {\"websocket\": {\"ping_period_ms\": \"soon\"}}}}",
        }, HttpStatusCode.BadRequest);
        Assert.All(ErrorFields(badValue), f => Assert.StartsWith("settingsJson", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASettingsFileReplacesAnExistingProfilesSettingsAndKeepsItsToken()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        var created = await http.PostJsonAsync("/api/profiles/import-config", new { name = "target", config = "region = us-east-1\nmode = src\naccess-token = kept-token\n" }, HttpStatusCode.Created);
        string id = created.GetProperty("id").GetString()!;

        var updated = await http.PutJsonAsync($"/api/profiles/{id}/settings", new { settingsJson = "{\"tunneling\": {\"proxy\": {\"tcp\": {\"connection_retry_count\": \"3\"}}}}" }, HttpStatusCode.OK);
        Assert.Equal("3", updated.GetProperty("settings").GetProperty("tunneling").GetProperty("proxy").GetProperty("tcp").GetProperty("connection_retry_count").GetString());
        Assert.True(updated.GetProperty("hasAccessToken").GetBoolean());
        Assert.Equal("target", updated.GetProperty("name").GetString());

        var invalid = await http.PutJsonAsync($"/api/profiles/{id}/settings", new { settingsJson = "[1, 2" }, HttpStatusCode.BadRequest);
        Assert.Equal(["settingsJson"], ErrorFields(invalid));
        await http.PutJsonAsync($"/api/profiles/{id}/settings", new { settingsJson = (string?)null }, HttpStatusCode.BadRequest);
        await http.PutJsonAsync("/api/profiles/no-such-profile/settings", new { settingsJson = "{}" }, HttpStatusCode.NotFound);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ImportConfigRefusesWhatItCannotUseNamingTheLineOrFile()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();

        var unknown = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            name = "x",
            config = "region = us-east-1\nmode = src\nhelp = true\nexport-default-settings = /tmp/s.json\nfrobnicate = 1\nregion = us-west-2\nno-ssl-host-verify = maybe\n[tunnel]\nregion = x\n",
        }, HttpStatusCode.BadRequest);
        var messages = ErrorMessages(unknown, "config");
        Assert.Equal(["config"], ErrorFields(unknown));
        foreach (string line in new[] { "line 3: 'help'", "line 4: 'export-default-settings'", "line 5:", "line 6: 'region' is given more than once", "line 7: 'no-ssl-host-verify' is a switch", "line 9:" })
        {
            Assert.Contains(messages, m => m.StartsWith(line, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(messages, m => m.Contains("frobnicate", StringComparison.Ordinal));

        var rules = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            config = "region = us-east-1\nproxy-endpoint = relay.example\nsource-listen-port = 5555\ndestination-app = 22\n",
        }, HttpStatusCode.BadRequest);
        Assert.Equal(["config", "name"], ErrorFields(rules));
        Assert.Contains(ErrorMessages(rules, "config"), m => m.Contains("exactly one of region and proxy-endpoint", StringComparison.Ordinal));
        Assert.Contains(ErrorMessages(rules, "config"), m => m.Contains("exclude each other", StringComparison.Ordinal));

        var noMode = await http.PostJsonAsync("/api/profiles/import-config", new { name = "x", config = "region = us-east-1\n" }, HttpStatusCode.BadRequest);
        Assert.Equal(["One of source-listen-port, destination-app and mode is required."], ErrorMessages(noMode, "config"));

        var disagreeing = await http.PostJsonAsync("/api/profiles/import-config", new { name = "x", config = "region = us-east-1\nmode = destination\nsource-listen-port = 5555\n" }, HttpStatusCode.BadRequest);
        Assert.Contains("disagrees", ErrorMessages(disagreeing, "config")[0], StringComparison.Ordinal);

        // Config-dir files that cannot be parsed: refused, named.
        var directory = await http.PostJsonAsync("/api/profiles/import-config", new
        {
            name = "x",
            config = "region = us-east-1\nmode = source\n",
            configDir = new Dictionary<string, string>
            {
                ["good.ini"] = "SSH = 2222\n",
                ["broken.ini"] = "SSH 2222\n",
                ["twice.ini"] = "WEB = 8080\nWEB = 8081\n",
                ["sections.ini"] = "[servers]\nDB = 5432\n",
                ["mode.ini"] = "DB = 10.0.0.1:5432\n",
                ["../escape.ini"] = "X = 1\n",
            },
        }, HttpStatusCode.BadRequest);
        Assert.Equal(["configDir"], ErrorFields(directory));
        var dirMessages = ErrorMessages(directory, "configDir");
        foreach (string file in new[] { "broken.ini line 1", "twice.ini line 2", "sections.ini line 1", "mode.ini line 1", "'../escape.ini'" })
        {
            Assert.Contains(dirMessages, m => m.Contains(file, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(dirMessages, m => m.Contains("good.ini", StringComparison.Ordinal));

        // A config-dir beside a map in the file, and one that defines nothing.
        var both = await http.PostJsonAsync("/api/profiles/import-config", new { name = "x", config = "region = us-east-1\nsource-listen-port = 5555\n", configDir = new Dictionary<string, string> { ["a.ini"] = "SSH = 2222\n" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["configDir"], ErrorFields(both));
        var empty = await http.PostJsonAsync("/api/profiles/import-config", new { name = "x", config = "region = us-east-1\nmode = src\n", configDir = new Dictionary<string, string> { ["a.ini"] = "# nothing\n" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["configDir"], ErrorFields(empty));

        // Values the session rules refuse are named by their option.
        var values = await http.PostJsonAsync("/api/profiles/import-config", new { name = "x", config = "region = US EAST\nsource-listen-port = SSH=notaport\nclient-token = short\n" }, HttpStatusCode.BadRequest);
        Assert.Equal(["config"], ErrorFields(values));
        var valueMessages = ErrorMessages(values, "config");
        Assert.Contains(valueMessages, m => m.StartsWith("region:", StringComparison.Ordinal));
        Assert.Contains(valueMessages, m => m.StartsWith("source-listen-port / destination-app:", StringComparison.Ordinal));
        Assert.Contains(valueMessages, m => m.StartsWith("client-token:", StringComparison.Ordinal));

        Assert.Empty((await http.GetJsonAsync("/api/profiles")).EnumerateArray());
        gateway.Logs.AssertNoErrors();
    }
}
