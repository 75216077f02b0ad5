using System.Net;
using System.Net.Http.Json;
using Gateway.Api.Data;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Gateway.Api.Tests.Data;

/// <summary>The committed migrations bring an empty file, and a database of the previous schema with data in it, to the current one at start.</summary>
public sealed class MigrationTests
{
    private const string PreviousMigration = "20261125042433_InitialRelayTunnels";

    [Fact]
    public async Task AnEmptyDataDirectoryGetsTheWholeSchema()
    {
        await using var gateway = await TestGateway.StartAsync();

        await using var db = Open(gateway.DataDirectory);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(1, await db.Users.CountAsync());
        Assert.Equal(0, await db.Profiles.CountAsync());
    }

    [Fact]
    public async Task ADatabaseOfThePreviousSchemaIsMigratedAndKeepsItsTunnels()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        const string tunnelId = "0f0e0d0c-0b0a-0908-0706-050403020100";
        await using (var db = Open(dataDirectory))
        {
            await db.GetService<IMigrator>().MigrateAsync(PreviousMigration);
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());

            // A tunnel stored by the previous version, in the columns of that version (the model has more since).
            var now = DateTimeOffset.UtcNow;
            var later = now.AddHours(1);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO RelayTunnels (Id, Services, CreatedAt, ExpiresAt, State, SourceTokenHash, SourceTokenUsed, DestinationTokenHash, DestinationTokenUsed, BytesSourceToDestination, BytesDestinationToSource)
                VALUES ({tunnelId}, '["SSH"]', {now}, {later}, 'Open', {new string('a', 64)}, 0, {new string('b', 64)}, 0, 0, 0)
                """);
        }

        SqliteConnection.ClearAllPools();
        await using var upgraded = await TestGateway.StartAsync(dataDirectory);
        using var client = upgraded.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/relay/tunnels/{tunnelId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/profiles")).StatusCode);
        var users = await client.GetFromJsonAsync<List<UserRow>>("/api/users");
        Assert.Contains(users!, u => u.UserName == "admin");

        await using var check = Open(dataDirectory);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
    }

    private static GatewayDbContext Open(string dataDirectory) =>
        new(new DbContextOptionsBuilder<GatewayDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "gateway.db")}").Options);

    private sealed record UserRow(string UserName, string Role);
}
