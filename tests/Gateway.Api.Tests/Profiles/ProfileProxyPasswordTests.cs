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

/// <summary>
/// The password of a profile's web proxy (<c>httpsProxy</c> user:password@host): stored encrypted like the
/// tokens, answered only as <c>hasProxyPassword</c>, kept when an update leaves it out, used at start.
/// </summary>
public sealed class ProfileProxyPasswordTests
{
    private const string Password = "Pr0xy-pass-9f3e71c2";
    private const string WithPassword = "http://alice:" + Password + "@proxy.example:3128";
    private const string WithoutPassword = "http://alice@proxy.example:3128";

    [Fact]
    public async Task TheProxyPasswordIsEncryptedAtRestAndShownToNoOne()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string id;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory))
        {
            using var admin = gateway.CreateClient();
            using var viewer = gateway.CreateClient(await gateway.CreateViewerKeyAsync());
            var transcript = new Transcript();
            var created = await admin.PostJsonAsync("/api/profiles", DestinationBody("proxied", new() { ["httpsProxy"] = WithPassword }), HttpStatusCode.Created, transcript);
            id = created.GetProperty("id").GetString()!;
            Assert.Equal(WithoutPassword, created.GetProperty("httpsProxy").GetString());
            Assert.True(created.GetProperty("hasProxyPassword").GetBoolean());

            var one = await viewer.GetJsonAsync($"/api/profiles/{id}", HttpStatusCode.OK, transcript);
            Assert.Equal(WithoutPassword, one.GetProperty("httpsProxy").GetString());
            Assert.True(one.GetProperty("hasProxyPassword").GetBoolean());
            var list = await viewer.GetJsonAsync("/api/profiles", HttpStatusCode.OK, transcript);
            Assert.Equal(WithoutPassword, list[0].GetProperty("httpsProxy").GetString());
            var export = await viewer.GetJsonAsync("/api/profiles/export", HttpStatusCode.OK, transcript);
            Assert.Equal(WithoutPassword, export.GetProperty("profiles")[0].GetProperty("httpsProxy").GetString());
            transcript.AssertNoneContains(Password);

            // A session started from it uses the whole address.
            var spec = gateway.Services.GetRequiredService<ProfileSessionSpecs>().Build(await ProfileSecretsTests.LoadAsync(gateway, id), new ProfileStartOverrides(AccessToken: AccessToken));
            Assert.True(spec.IsValid, string.Join("; ", spec.Errors.Select(e => $"{e.Field}: {e.Message}")));
            Assert.Equal(WithPassword, spec.Spec!.HttpsProxy);
            gateway.Logs.AssertNeverLogged(Password);
            gateway.Logs.AssertNoErrors();
        }

        SqliteConnection.ClearAllPools();
        AssertNotInDatabaseFiles(dataDirectory, Password);
    }

    [Fact]
    public async Task AnUpdateWithoutThePasswordKeepsItAndOneCanReplaceOrClearIt()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        var specs = gateway.Services.GetRequiredService<ProfileSessionSpecs>();
        string id = (await admin.PostJsonAsync("/api/profiles", DestinationBody("kept", new() { ["httpsProxy"] = WithPassword }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        async Task<string?> StartedProxyAsync() =>
            specs.Build(await ProfileSecretsTests.LoadAsync(gateway, id), new ProfileStartOverrides(AccessToken: AccessToken)).Spec!.HttpsProxy;

        // What the dashboard sends back after showing the profile: the address without the password.
        var kept = await admin.PutJsonAsync($"/api/profiles/{id}", DestinationBody("kept", new() { ["httpsProxy"] = WithoutPassword, ["tags"] = new[] { "x" } }), HttpStatusCode.OK);
        Assert.True(kept.GetProperty("hasProxyPassword").GetBoolean());
        Assert.Equal(WithPassword, await StartedProxyAsync());

        var replaced = await admin.PutJsonAsync($"/api/profiles/{id}", DestinationBody("kept", new() { ["httpsProxy"] = "http://alice:other-pass@proxy.example:3128" }), HttpStatusCode.OK);
        Assert.True(replaced.GetProperty("hasProxyPassword").GetBoolean());
        Assert.Equal("http://alice:other-pass@proxy.example:3128", await StartedProxyAsync());

        var both = await admin.PutJsonAsync($"/api/profiles/{id}", DestinationBody("kept", new() { ["httpsProxy"] = WithPassword, ["clearProxyPassword"] = true }), HttpStatusCode.BadRequest);
        Assert.Equal(["clearProxyPassword"], ErrorFields(both));

        var cleared = await admin.PutJsonAsync($"/api/profiles/{id}", DestinationBody("kept", new() { ["httpsProxy"] = WithoutPassword, ["clearProxyPassword"] = true }), HttpStatusCode.OK);
        Assert.False(cleared.GetProperty("hasProxyPassword").GetBoolean());
        Assert.Equal(WithoutPassword, await StartedProxyAsync());

        // A new password, then an address without a user: the password goes with the user.
        await admin.PutJsonAsync($"/api/profiles/{id}", DestinationBody("kept", new() { ["httpsProxy"] = WithPassword }), HttpStatusCode.OK);
        var noUser = await admin.PutJsonAsync($"/api/profiles/{id}", DestinationBody("kept", new() { ["httpsProxy"] = "http://proxy.example:3128" }), HttpStatusCode.OK);
        Assert.False(noUser.GetProperty("hasProxyPassword").GetBoolean());
        Assert.Equal("http://proxy.example:3128", await StartedProxyAsync());
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task APlainProxyPasswordStoredByAnEarlierVersionIsEncryptedAtStart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string id;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory))
        {
            using var admin = gateway.CreateClient();
            id = (await admin.PostJsonAsync("/api/profiles", DestinationBody("legacy"), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        }

        // As the previous version stored it: the whole address in HttpsProxy.
        await using (var db = new GatewayDbContext(new DbContextOptionsBuilder<GatewayDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "gateway.db")}").Options))
        {
            await db.Profiles.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.HttpsProxy, WithPassword)).WaitAsync(TestGateway.Timeout);
        }

        SqliteConnection.ClearAllPools();
        await using (var restarted = await TestGateway.StartAsync(dataDirectory))
        {
            using var admin = restarted.CreateClient();
            var profile = await admin.GetJsonAsync($"/api/profiles/{id}");
            Assert.Equal(WithoutPassword, profile.GetProperty("httpsProxy").GetString());
            Assert.True(profile.GetProperty("hasProxyPassword").GetBoolean());
            restarted.Logs.AssertNeverLogged(Password);
        }

        SqliteConnection.ClearAllPools();
        AssertNotInDatabaseFiles(dataDirectory, Password);
    }

    private static void AssertNotInDatabaseFiles(string dataDirectory, string secret)
    {
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "gateway.db*"))
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{file} holds the secret in UTF-8");
        }
    }
}
