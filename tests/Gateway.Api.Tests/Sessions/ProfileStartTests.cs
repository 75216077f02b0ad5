using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Api.History;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Sessions;

/// <summary><c>POST /api/tunnels</c> with a <c>profileId</c>: overrides, errors naming fields, roles, the <c>?profile=</c> filter and the history of sessions started from profiles.</summary>
public sealed class ProfileStartTests
{
    [Fact]
    public async Task ProfilesStartByIdWithOrWithoutATokenOverrideAndCarryTraffic()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var transcript = new Transcript();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();

        // The destination profile stores no token: a fresh one is given at start, with a name override.
        string destinationProfileId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "start-destination",
            mode = "destination",
            useBuiltInRelay = true,
            services = $"SSH=127.0.0.1:{echo.Port}",
            settings = FastSettingsJson,
        }, HttpStatusCode.Created, transcript)).GetProperty("id").GetString()!;
        var destination = await http.PostJsonAsync("/api/tunnels", new
        {
            profileId = destinationProfileId,
            accessToken = tunnel.DestinationAccessToken,
            name = "destination #1",
        }, HttpStatusCode.Created, transcript);
        string destinationId = destination.GetProperty("id").GetString()!;
        Assert.Equal(destinationProfileId, destination.GetProperty("profileId").GetString());
        Assert.Equal("Destination", destination.GetProperty("mode").GetString());
        Assert.Equal("destination #1", destination.GetProperty("name").GetString());
        Assert.StartsWith($"wss://127.0.0.1:{gateway.HttpsBase.Port}", destination.GetProperty("endpoint").GetString(), StringComparison.Ordinal);

        // The source profile stores its token: {profileId} alone starts it.
        var (sourceProfileId, sourceId, port) = await StartSourceProfileAsync(http, "start-source", tunnel.SourceAccessToken, transcript);
        var source = sessions.Get(sourceId)!;
        Assert.Equal(sourceProfileId, source.ProfileId);
        Assert.Equal("start-source", source.Name);

        await sessions.WaitReadyAsync(destinationId);
        await sessions.WaitReadyAsync(sourceId);
        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoRandomAsync(32 * 1024);
        }

        var listed = await http.GetJsonAsync($"/api/tunnels?profile={destinationProfileId}", transcript: transcript);
        Assert.Equal([destinationId], listed.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        listed = await http.GetJsonAsync($"/api/tunnels?profile={sourceProfileId}", transcript: transcript);
        Assert.Equal([sourceId], listed.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Empty((await http.GetJsonAsync("/api/tunnels?profile=no-such-profile", transcript: transcript)).EnumerateArray());
        Assert.Equal(2, (await http.GetJsonAsync("/api/tunnels", transcript: transcript)).GetArrayLength());

        var rows = await ReadHistoryAsync(gateway, http, transcript);
        var destinationRow = Assert.Single(rows, r => r.GetProperty("id").GetString() == destinationId);
        var sourceRow = Assert.Single(rows, r => r.GetProperty("id").GetString() == sourceId);
        Assert.Equal(destinationProfileId, destinationRow.GetProperty("profileId").GetString());
        Assert.Equal(sourceProfileId, sourceRow.GetProperty("profileId").GetString());
        Assert.Equal("key:bootstrap", destinationRow.GetProperty("startedBy").GetString());
        Assert.Equal("key:bootstrap", sourceRow.GetProperty("startedBy").GetString());
        Assert.Equal("destination #1", destinationRow.GetProperty("name").GetString());
        Assert.Equal($"SSH={port}", sourceRow.GetProperty("spec").GetProperty("services").GetString());
        var filtered = await http.GetJsonAsync($"/api/history?profileId={sourceProfileId}", transcript: transcript);
        Assert.Equal([sourceId], filtered.EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        transcript.AssertNoneContains(tunnel.SourceAccessToken);
        transcript.AssertNoneContains(tunnel.DestinationAccessToken);
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
        gateway.Logs.AssertNeverLogged(tunnel.DestinationAccessToken);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/api/tunnels/{sourceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/api/tunnels/{destinationId}")).StatusCode);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task StartingAProfileRefusesUnknownIdsFieldsOfTheProfileAndAMissingToken()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        string profileId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "tokenless",
            mode = "destination",
            useBuiltInRelay = true,
            services = "SSH=127.0.0.1:22",
        }, HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var unknown = await http.PostJsonAsync("/api/tunnels", new { profileId = "no-such-profile", accessToken = AccessToken }, HttpStatusCode.BadRequest);
        Assert.Equal(["profileId"], ErrorFields(unknown));
        Assert.Contains("no-such-profile", Assert.Single(ErrorMessages(unknown, "profileId")), StringComparison.Ordinal);

        var specFields = await http.PostJsonAsync("/api/tunnels", new
        {
            profileId,
            mode = "source",
            endpoint = "wss://127.0.0.1:1",
            accessToken = AccessToken,
        }, HttpStatusCode.BadRequest);
        Assert.Equal(["endpoint", "mode"], ErrorFields(specFields));

        // Fields of the profile are refused even when the profile id is unknown: the body is wrong either way.
        var both = await http.PostJsonAsync("/api/tunnels", new { profileId = "no-such-profile", region = "us-east-1", caPath = "/tmp" }, HttpStatusCode.BadRequest);
        Assert.Equal(["caPath", "region"], ErrorFields(both));

        var noToken = await http.PostJsonAsync("/api/tunnels", new { profileId }, HttpStatusCode.BadRequest);
        Assert.Equal(["accessToken"], ErrorFields(noToken));
        Assert.Contains("tokenless", Assert.Single(ErrorMessages(noToken, "accessToken")), StringComparison.Ordinal);

        var badOverride = await http.PostJsonAsync("/api/tunnels", new { profileId, accessToken = AccessToken, services = "SSH=not-a-port:x" }, HttpStatusCode.BadRequest);
        Assert.Equal(["services"], ErrorFields(badOverride));

        Assert.Empty(gateway.Sessions().List());
        gateway.Logs.AssertNeverLogged(AccessToken);
    }

    [Fact]
    public async Task AViewerCannotStartAProfileAndAnOperatorCan()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string profileId = (await admin.PostJsonAsync("/api/profiles", new
        {
            name = "operated",
            mode = "destination",
            useBuiltInRelay = true,
            services = "SSH=127.0.0.1:9",
            settings = FastSettingsJson,
        }, HttpStatusCode.Created)).GetProperty("id").GetString()!;

        using var viewer = gateway.CreateClient(await gateway.CreateViewerKeyAsync());
        using (var refused = await viewer.PostAsJsonAsync("/api/tunnels", new { profileId, accessToken = tunnel.DestinationAccessToken }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Empty(gateway.Sessions().List());
        Assert.Empty((await viewer.GetJsonAsync($"/api/tunnels?profile={profileId}")).EnumerateArray());

        string operatorKey = (await admin.PostJsonAsync("/api/keys", new { name = "profile-operator", role = "operator" }, HttpStatusCode.Created)).GetProperty("key").GetString()!;
        using var operatorClient = gateway.CreateClient(operatorKey);
        var started = await operatorClient.PostJsonAsync("/api/tunnels", new { profileId, accessToken = tunnel.DestinationAccessToken }, HttpStatusCode.Created);
        string id = started.GetProperty("id").GetString()!;
        Assert.Equal(profileId, started.GetProperty("profileId").GetString());
        await gateway.Sessions().WaitReadyAsync(id);
        Assert.Equal([id], (await viewer.GetJsonAsync($"/api/tunnels?profile={profileId}")).EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        var stopped = await operatorClient.DeleteJsonAsync($"/api/tunnels/{id}", HttpStatusCode.OK);
        Assert.Equal("Stopped", stopped.GetProperty("state").GetString());
        var row = Assert.Single(await ReadHistoryAsync(gateway, admin));
        Assert.Equal("key:profile-operator", row.GetProperty("startedBy").GetString());
        Assert.Equal(profileId, row.GetProperty("profileId").GetString());
    }

    /// <summary>
    /// The full path: a relay tunnel, two profiles holding its tokens, both started by id over
    /// REST, TCP traffic, both stopped; the history has both ends with the exact bytes and no token.
    /// </summary>
    [Fact]
    public async Task FullPathRelayTunnelProfilesTrafficStopAndHistory()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var transcript = new Transcript();
        var sessions = gateway.Sessions();

        var tunnel = await http.PostJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" }, description = "full path" }, HttpStatusCode.Created);
        string sourceToken = tunnel.GetProperty("sourceAccessToken").GetString()!;
        string destinationToken = tunnel.GetProperty("destinationAccessToken").GetString()!;

        string destinationProfileId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "full-path-destination",
            mode = "destination",
            useBuiltInRelay = true,
            services = $"SSH=127.0.0.1:{echo.Port}",
            settings = FastSettingsJson,
            accessToken = destinationToken,
        }, HttpStatusCode.Created, transcript)).GetProperty("id").GetString()!;
        string destinationId = (await http.PostJsonAsync("/api/tunnels", new { profileId = destinationProfileId }, HttpStatusCode.Created, transcript)).GetProperty("id").GetString()!;
        var (sourceProfileId, sourceId, port) = await StartSourceProfileAsync(http, "full-path-source", sourceToken, transcript);

        await sessions.WaitReadyAsync(destinationId);
        await sessions.WaitReadyAsync(sourceId);
        const int Size = 200_000;
        var payload = RandomNumberGenerator.GetBytes(Size);
        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoAsync(payload);
        }

        await sessions.WaitAllAsync([sourceId, destinationId], s => s.BytesToTunnel == Size && s.BytesFromTunnel == Size);
        Assert.Equal("Stopped", (await http.DeleteJsonAsync($"/api/tunnels/{sourceId}", HttpStatusCode.OK, transcript)).GetProperty("state").GetString());
        Assert.Equal("Stopped", (await http.DeleteJsonAsync($"/api/tunnels/{destinationId}", HttpStatusCode.OK, transcript)).GetProperty("state").GetString());

        Assert.True(await gateway.Services.GetRequiredService<SessionHistoryRecorder>().FlushAsync(TestGateway.Timeout));
        using var historyResponse = await http.GetAsync("/api/history");
        Assert.Equal(HttpStatusCode.OK, historyResponse.StatusCode);
        string history = await historyResponse.Content.ReadAsStringAsync();
        transcript.Add(history);
        var rows = JsonDocument.Parse(history).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        foreach (var (id, profileId, mode) in new[] { (sourceId, sourceProfileId, "Source"), (destinationId, destinationProfileId, "Destination") })
        {
            var row = Assert.Single(rows, r => r.GetProperty("id").GetString() == id);
            Assert.Equal(profileId, row.GetProperty("profileId").GetString());
            Assert.Equal(mode, row.GetProperty("mode").GetString());
            Assert.Equal("Stopped", row.GetProperty("endState").GetString());
            Assert.Equal("key:bootstrap", row.GetProperty("startedBy").GetString());
            Assert.Equal(Size, row.GetProperty("bytesToTunnel").GetInt64());
            Assert.Equal(Size, row.GetProperty("bytesFromTunnel").GetInt64());
            Assert.NotEqual(JsonValueKind.Null, row.GetProperty("endedAt").ValueKind);
        }

        transcript.AssertNoneContains(sourceToken);
        transcript.AssertNoneContains(destinationToken);
        Assert.DoesNotContain(sourceToken, history, StringComparison.Ordinal);
        Assert.DoesNotContain(destinationToken, history, StringComparison.Ordinal);
        gateway.Logs.AssertNeverLogged(sourceToken);
        gateway.Logs.AssertNeverLogged(destinationToken);
        gateway.Logs.AssertNoErrors();
    }

    /// <summary>
    /// Saves a built-in-relay source profile holding <paramref name="token"/> on a free port and starts
    /// it with <c>{profileId}</c> only. A port another test took meanwhile is a 409 (the token is not
    /// used): the profile gets another port and is started again.
    /// </summary>
    private static async Task<(string ProfileId, string SessionId, int Port)> StartSourceProfileAsync(HttpClient http, string name, string token, Transcript transcript)
    {
        string? profileId = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int port = SessionHarness.FreePort();
            var body = new
            {
                name,
                mode = "source",
                useBuiltInRelay = true,
                services = $"SSH={port}",
                bindAddress = "127.0.0.1",
                settings = FastSettingsJson,
                accessToken = token,
            };
            var profile = profileId is null
                ? await http.PostJsonAsync("/api/profiles", body, HttpStatusCode.Created, transcript)
                : await http.PutJsonAsync($"/api/profiles/{profileId}", body, HttpStatusCode.OK, transcript);
            profileId = profile.GetProperty("id").GetString()!;
            Assert.True(profile.GetProperty("hasAccessToken").GetBoolean());

            using var response = await http.PostAsJsonAsync("/api/tunnels", new { profileId });
            string text = await response.Content.ReadAsStringAsync();
            transcript.Add(text);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, $"start of profile {name}: {(int)response.StatusCode} {text}");
            var session = JsonDocument.Parse(text).RootElement;
            Assert.Equal(profileId, session.GetProperty("profileId").GetString());
            Assert.Equal("Source", session.GetProperty("mode").GetString());
            return (profileId, session.GetProperty("id").GetString()!, port);
        }

        Assert.Fail($"profile {name}: every free port was taken before the session could bind it");
        throw new InvalidOperationException("unreachable");
    }

    private static async Task<List<JsonElement>> ReadHistoryAsync(TestGateway gateway, HttpClient http, Transcript? transcript = null)
    {
        Assert.True(await gateway.Services.GetRequiredService<SessionHistoryRecorder>().FlushAsync(TestGateway.Timeout));
        return [.. (await http.GetJsonAsync("/api/history", transcript: transcript)).EnumerateArray()];
    }
}
