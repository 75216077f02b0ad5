using System.Net;
using System.Text;
using Gateway.Api.Data;
using Gateway.Api.Profiles;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Profiles;

/// <summary>A profile's tokens: never in an answer or a log line, encrypted in the database, readable again after a restart.</summary>
public sealed class ProfileSecretsTests
{
    [Fact]
    public async Task TokensAppearInNoAnswerAndNoLogLine()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        var transcript = new Transcript();

        var created = await http.PostJsonAsync("/api/profiles", DestinationBody("secret", new() { ["accessToken"] = AccessToken, ["clientToken"] = ClientToken }), HttpStatusCode.Created, transcript);
        string id = created.GetProperty("id").GetString()!;
        await http.GetJsonAsync($"/api/profiles/{id}", HttpStatusCode.OK, transcript);
        await http.GetJsonAsync("/api/profiles", HttpStatusCode.OK, transcript);
        await http.GetJsonAsync("/api/profiles/export", HttpStatusCode.OK, transcript);
        await http.PutJsonAsync($"/api/profiles/{id}", DestinationBody("secret", new() { ["accessToken"] = AccessToken + "-2" }), HttpStatusCode.OK, transcript);

        // Refused bodies do not echo the token either.
        await http.PostJsonAsync("/api/profiles", DestinationBody("SECRET", new() { ["accessToken"] = AccessToken, ["clientToken"] = ClientToken }), HttpStatusCode.Conflict, transcript);
        await http.PostJsonAsync("/api/profiles", DestinationBody("other", new() { ["accessToken"] = AccessToken, ["clientToken"] = ClientToken + "!" }), HttpStatusCode.BadRequest, transcript);
        await http.PostJsonAsync("/api/profiles/import-config", new { name = "cfg", config = $"region = us-east-1\nmode = src\naccess-token {AccessToken}\n" }, HttpStatusCode.BadRequest, transcript);
        await http.PostJsonAsync("/api/profiles/import-config", new { name = "cfg", config = $"region = us-east-1\nmode = src\n{AccessToken}=x\n" }, HttpStatusCode.BadRequest, transcript);

        Assert.Equal(9, transcript.Answers.Count);
        foreach (string secret in new[] { AccessToken, ClientToken })
        {
            transcript.AssertNoneContains(secret);
            gateway.Logs.AssertNeverLogged(secret);
        }

        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task TokensAreEncryptedAtRestAndReadableAfterARestart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string id;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory))
        {
            using var http = gateway.CreateClient();
            var created = await http.PostJsonAsync("/api/profiles", DestinationBody("at-rest-profile", new() { ["accessToken"] = AccessToken, ["clientToken"] = ClientToken }), HttpStatusCode.Created);
            id = created.GetProperty("id").GetString()!;
        }

        // Microsoft.Data.Sqlite pools connections; clear them so the files are complete and closed.
        SqliteConnection.ClearAllPools();
        var files = new[] { "gateway.db", "gateway.db-wal" }
            .Select(name => Path.Combine(dataDirectory, name))
            .Where(File.Exists)
            .ToDictionary(path => path, File.ReadAllBytes);
        Assert.Contains(files.Values, bytes => Contains(bytes, Encoding.UTF8.GetBytes("at-rest-profile")));
        foreach (var (path, bytes) in files)
        {
            foreach (string secret in new[] { AccessToken, ClientToken })
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"{path} holds a token in UTF-8");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"{path} holds a token in UTF-16");
            }
        }

        // The key ring in <data>/keys survives the restart: the tokens decrypt again.
        await using (var restarted = await TestGateway.StartAsync(dataDirectory))
        {
            var profile = await LoadAsync(restarted, id);
            Assert.NotNull(profile.ProtectedAccessToken);
            Assert.DoesNotContain(AccessToken, profile.ProtectedAccessToken, StringComparison.Ordinal);
            var result = restarted.Services.GetRequiredService<ProfileSessionSpecs>().Build(profile);
            Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
            Assert.Equal(AccessToken, result.Spec!.AccessToken);
            Assert.Equal(ClientToken, result.Spec.ClientToken);
            restarted.Logs.AssertNoErrors();
        }
    }

    [Fact]
    public async Task BuildNamesAMissingOrUnreadableTokenAndTakesOverrides()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        var specs = gateway.Services.GetRequiredService<ProfileSessionSpecs>();
        string bare = (await http.PostJsonAsync("/api/profiles", new { name = "bare", mode = "source", useBuiltInRelay = true, services = "SSH=2222" }, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var profile = await LoadAsync(gateway, bare);

        var missing = specs.Build(profile);
        Assert.False(missing.IsValid);
        Assert.Null(missing.Spec);
        Assert.Equal(["accessToken"], missing.ToValidationErrors().Keys);

        var started = specs.Build(profile, new ProfileStartOverrides(AccessToken: AccessToken, Services: "SSH=3333,WEB=4444", BindAddress: "127.0.0.1", Name: "bare #2"));
        Assert.True(started.IsValid, string.Join("; ", started.Errors.Select(e => $"{e.Field}: {e.Message}")));
        var spec = started.Spec!;
        Assert.Equal(AccessToken, spec.AccessToken);
        Assert.Equal($"wss://127.0.0.1:{gateway.HttpsBase.Port}", spec.Endpoint);
        Assert.Equal(gateway.CaDirectory(), spec.CaPath);
        Assert.Equal("SSH=3333,WEB=4444", spec.Services);
        Assert.Equal("127.0.0.1", spec.BindAddress);
        Assert.Equal("bare #2", spec.Name);
        Assert.Null(spec.Region);

        var badOverride = specs.Build(profile, new ProfileStartOverrides(AccessToken: AccessToken, ClientToken: "short", Services: "SSH=notaport"));
        Assert.Equal(["clientToken", "services"], badOverride.ToValidationErrors().Keys.Order(StringComparer.Ordinal));

        // A stored token the key ring cannot decrypt (keys lost): named, and an override still works.
        var broken = profile;
        broken.ProtectedAccessToken = "CfDJ8-not-a-protected-payload";
        broken.ProtectedClientToken = "CfDJ8-not-a-protected-payload-either";
        var unreadable = specs.Build(broken);
        Assert.Equal(["accessToken", "clientToken"], unreadable.ToValidationErrors().Keys.Order(StringComparer.Ordinal));
        Assert.Contains("cannot be decrypted", unreadable.ToValidationErrors()["accessToken"][0], StringComparison.Ordinal);
        Assert.True(specs.Build(broken, new ProfileStartOverrides(AccessToken: AccessToken, ClientToken: ClientToken)).IsValid);
        gateway.Logs.AssertNoErrors();
    }

    internal static async Task<ProfileEntity> LoadAsync(TestGateway gateway, string id)
    {
        var contexts = gateway.Services.GetRequiredService<IDbContextFactory<GatewayDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Profiles.AsNoTracking().SingleAsync(p => p.Id == id).WaitAsync(TestGateway.Timeout);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
