using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Gateway.Api.Tests.Operations;

public sealed class ReadinessTests
{
    [Fact]
    public async Task ReadyWhenTheDatabaseAnswersAndTheEngineRuns()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("database").GetString());
        Assert.Equal("ok", checks.GetProperty("engine").GetString());
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task NotReadyNamingTheDatabaseWhenItsFileIsNotADatabase()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = await LoggedInClientAsync(gateway);

        BreakDatabase(gateway, path => File.WriteAllBytes(path, Enumerable.Repeat((byte)'x', 8192).ToArray()));
        var response = await client.GetAsync("/readyz");

        await AssertNotReadyBecauseOfTheDatabaseAsync(response);
    }

    [Fact]
    public async Task NotReadyNamingTheDatabaseWhenItsFileIsGone()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = await LoggedInClientAsync(gateway);

        BreakDatabase(gateway, File.Delete);
        var response = await client.GetAsync("/readyz");

        await AssertNotReadyBecauseOfTheDatabaseAsync(response);
        Assert.False(File.Exists(Path.Combine(gateway.DataDirectory, "gateway.db")), "the readiness check must not create an empty database");
    }

    [Fact]
    public async Task NotReadyNamingAMissingTable()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = await LoggedInClientAsync(gateway);

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(gateway.DataDirectory, "gateway.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE AuditLog";
            await drop.ExecuteNonQueryAsync();
        }

        var response = await client.GetAsync("/readyz");

        await AssertNotReadyBecauseOfTheDatabaseAsync(response);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("lacks the table(s) AuditLog", body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // An API key is looked up in the database, so once the database is broken only the login
    // cookie (checked without the database) still gets a caller through to /readyz.
    private static async Task<HttpClient> LoggedInClientAsync(TestGateway gateway)
    {
        var client = gateway.CreateClient(apiKey: null);
        var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        return client;
    }

    /// <summary>Closes SQLite's pooled connections (they would keep the old file open) and then damages the file.</summary>
    private static void BreakDatabase(TestGateway gateway, Action<string> damage)
    {
        string path = Path.Combine(gateway.DataDirectory, "gateway.db");
        SqliteConnection.ClearAllPools();
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        damage(path);
    }

    private static async Task AssertNotReadyBecauseOfTheDatabaseAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(503, body.RootElement.GetProperty("status").GetInt32());
        Assert.StartsWith("Failing checks: database:", body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("failing", checks.GetProperty("database").GetString());
        Assert.Equal("ok", checks.GetProperty("engine").GetString());
    }
}
