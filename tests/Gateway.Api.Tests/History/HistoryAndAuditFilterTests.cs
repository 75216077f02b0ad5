using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Data;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.History;

/// <summary>Server-side search and filters of <c>GET /api/history</c> and <c>GET /api/audit</c>, and the audit's readable actions.</summary>
public sealed class HistoryAndAuditFilterTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task HistoryIsSearchedAndFilteredOnTheServer()
    {
        await using var gateway = await TestGateway.StartAsync();
        await SeedHistoryAsync(gateway,
            Row("h1", "lab ssh", "Source", "wss://relay.example/tunnel", "alice", Day.AddHours(1), "Stopped", "stopped by the user"),
            Row("h2", "pump 17 web", "Destination", "wss://relay.example/tunnel", "bob", Day.AddHours(2), "Failed", "could not connect after 5 attempt(s)"),
            Row("h3", "100%_odd name", "Source", "wss://other.example/tunnel", "key:ci", Day.AddHours(3), null, null),
            Row("h4", "lab rdp", "Destination", "wss://other.example/tunnel", "alice", Day.AddDays(2), "Closed", "closed by the service (code 1000)"));
        using var http = gateway.CreateClient();

        async Task<List<string>> Ids(string query) =>
            [.. (await http.GetJsonAsync("/api/history" + query)).EnumerateArray().Select(h => h.GetProperty("id").GetString()!)];

        Assert.Equal(["h4", "h3", "h2", "h1"], await Ids(""));
        Assert.Equal(["h4", "h1"], await Ids("?q=LAB"));
        Assert.Equal(["h2"], await Ids("?q=could%20not%20connect"));
        Assert.Equal(["h3"], await Ids("?q=100%25_"));
        Assert.Empty(await Ids("?q=1_0")); // "_" is a character here, not LIKE's wildcard (which "100" would match)
        Assert.Equal(["h4", "h3"], await Ids("?q=other.example"));
        Assert.Equal(["h4", "h2"], await Ids("?mode=destination"));
        Assert.Equal(["h4", "h1"], await Ids("?startedBy=alice"));
        Assert.Equal(["h3"], await Ids("?state=running"));
        Assert.Equal(["h2"], await Ids("?state=failed"));
        Assert.Equal(["h3", "h2"], await Ids($"?since={Uri.EscapeDataString(Day.AddHours(2).ToString("O"))}&until={Uri.EscapeDataString(Day.AddDays(1).ToString("O"))}"));
        Assert.Equal(["h1"], await Ids("?q=lab&mode=source&startedBy=alice"));

        var bad = await http.GetJsonAsync("/api/history?mode=sideways&state=gone&limit=0", HttpStatusCode.BadRequest);
        Assert.Equal(["limit", "mode", "state"], ErrorFields(bad));
        var backwards = await http.GetJsonAsync($"/api/history?since={Uri.EscapeDataString(Day.AddDays(1).ToString("O"))}&until={Uri.EscapeDataString(Day.ToString("O"))}", HttpStatusCode.BadRequest);
        Assert.Equal(["until"], ErrorFields(backwards));
    }

    [Fact]
    public async Task TheAuditSaysWhatEachCallDidAndIsFilteredOnTheServer()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();
        await http.PostJsonAsync("/api/users", new { userName = "tessa", password = "tessa-password-123", role = "viewer" }, HttpStatusCode.Created);
        await http.PostJsonAsync("/api/users", new { userName = "bad name!", password = "x", role = "viewer" }, HttpStatusCode.BadRequest);
        var key = await http.PostJsonAsync("/api/keys", new { name = "audit-ci", role = "viewer" }, HttpStatusCode.Created);
        using (var viewer = gateway.CreateClient(key.GetProperty("key").GetString()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } })).StatusCode);
        }

        await http.DeleteJsonAsync($"/api/keys/{key.GetProperty("id").GetString()}", HttpStatusCode.NoContent);
        using (var anonymous = gateway.CreateClient(apiKey: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "tessa", password = "wrong-password-here" })).StatusCode);
        }

        async Task<List<(string Action, string Actor, int Status)>> Entries(string query) =>
            [.. (await http.GetJsonAsync("/api/audit" + query)).EnumerateArray()
                .Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("actor").GetString()!, e.GetProperty("status").GetInt32()))];

        Assert.Equal(
            [("Log in", "anonymous", 401), ("Revoke API key", "key:bootstrap", 204), ("Open relay tunnel", "key:audit-ci", 403),
             ("Create API key", "key:bootstrap", 201), ("Create user", "key:bootstrap", 400), ("Create user", "key:bootstrap", 201)],
            await Entries(""));
        Assert.Equal([("Create user", "key:bootstrap", 400), ("Create user", "key:bootstrap", 201)], await Entries("?area=users"));
        Assert.Equal([("Revoke API key", "key:bootstrap", 204), ("Create API key", "key:bootstrap", 201)], await Entries("?area=api-keys"));
        Assert.Equal([("Log in", "anonymous", 401), ("Open relay tunnel", "key:audit-ci", 403), ("Create user", "key:bootstrap", 400)], await Entries("?outcome=refused"));
        Assert.Equal([("Open relay tunnel", "key:audit-ci", 403)], await Entries("?actor=key:audit-ci"));
        Assert.Equal([("Create user", "key:bootstrap", 201)], await Entries("?q=tessa&outcome=allowed"));
        Assert.Empty(await Entries($"?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}"));

        var bad = await http.GetJsonAsync("/api/audit?area=moon&outcome=maybe", HttpStatusCode.BadRequest);
        Assert.Equal(["area", "outcome"], ErrorFields(bad));
    }

    [Theory]
    [InlineData("POST", "/ IoTSecuredTunneling.OpenTunnel", "AWS API: OpenTunnel")]
    [InlineData("DELETE", "/api/tunnels/ended", "Clear ended sessions")]
    [InlineData("DELETE", "/api/tunnels/abc123", "Stop session")]
    [InlineData("DELETE", "/api/tunnels/abc123/connections/SSH.1", "Disconnect a connection")]
    [InlineData("POST", "/api/relay/tunnels/t1/rotate", "Rotate relay tunnel tokens")]
    [InlineData("POST", "/api/auth/password", "Change own password")]
    [InlineData("PATCH", "/api/somewhere", "PATCH /api/somewhere")]
    public void AuditActionsAreWords(string method, string path, string expected) =>
        Assert.Equal(expected, Gateway.Api.History.AuditActions.Describe(method, path));

    private static SessionHistoryEntity Row(string id, string name, string mode, string endpoint, string startedBy, DateTimeOffset startedAt, string? endState, string? endReason) => new()
    {
        Id = id,
        Name = name,
        Mode = mode,
        Endpoint = endpoint,
        StartedBy = startedBy,
        StartedAt = startedAt,
        EndedAt = endState is null ? null : startedAt.AddMinutes(10),
        EndState = endState,
        EndReason = endReason,
    };

    private static async Task SeedHistoryAsync(TestGateway gateway, params SessionHistoryEntity[] rows)
    {
        var contexts = gateway.Services.GetRequiredService<IDbContextFactory<GatewayDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        db.SessionHistory.AddRange(rows);
        await db.SaveChangesAsync();
    }
}
