using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Gateway.Api.Tests.Data;

/// <summary>
/// The database file turns read-only under a running gateway (a changed owner or mode, an immutable file):
/// writes answer a 503 naming the cause, /readyz says so, reads go on, and once the directory is
/// writable again every write works at the first try (no pooled read-only connection is left).
/// </summary>
public sealed class ReadOnlyDatabaseTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task WritesAnswer503NamingTheCauseAndRecoverWhenTheFileIsWritableAgain()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } })).StatusCode);

        // The database file, not the directory: with its -shm file immutable too SQLite itself dies of
        // SIGBUS when it closes a WAL connection (any SQLite program does, this is not the gateway's).
        var files = new[] { Path.Combine(gateway.DataDirectory, "gateway.db") };

        ReadOnly.Set(files, true);
        try
        {
            // Connections opened from now on (SQLite opens a file it may not write read-only).
            SqliteConnection.ClearAllPools();
            for (int i = 0; i < 3; i++)
            {
                using var write = await admin.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } });
                string text = await write.Content.ReadAsStringAsync();
                Assert.True(write.StatusCode == HttpStatusCode.ServiceUnavailable, $"write {i}: {(int)write.StatusCode} {text}");
                Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
                Assert.Contains("read-only", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            using var readyz = await admin.GetAsync("/readyz");
            string ready = await readyz.Content.ReadAsStringAsync();
            Assert.True(readyz.StatusCode == HttpStatusCode.ServiceUnavailable, ready);
            Assert.Contains("read-only", JsonDocument.Parse(ready).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/relay/tunnels")).StatusCode);
        }
        finally
        {
            ReadOnly.Set(files, false);
        }

        // Writable again: every write works, none meets a read-only connection kept from before.
        for (int i = 0; i < 10; i++)
        {
            using var write = await admin.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } });
            Assert.True(write.StatusCode == HttpStatusCode.Created, $"write {i} after recovery: {(int)write.StatusCode} {await write.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);

        // The gateway's errors: the fault, once, and the audit entries it kept from being written; nothing
        // else (EF Core logs each failed command itself).
        var errors = gateway.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error && l.Category.StartsWith("Gateway.", StringComparison.Ordinal)).ToList();
        Assert.Single(errors, l => l.EventId == 3602);
        Assert.All(errors, l => Assert.True(l.EventId == 3602 || (l.EventId == 3100 && l.Message.Contains("readonly", StringComparison.Ordinal)), l.ToString()));
    }

    /// <summary>
    /// Makes files read-only for the gateway: permissions for an ordinary user; as root (who ignores
    /// permissions) the immutable attribute (<c>chattr +i</c>, needs CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs).
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static class ReadOnly
    {
        public static void Set(IReadOnlyList<string> paths, bool readOnly)
        {
            if (Environment.UserName != "root")
            {
                foreach (var path in paths)
                {
                    var mode = File.GetUnixFileMode(path);
                    const UnixFileMode write = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
                    File.SetUnixFileMode(path, readOnly ? mode & ~write : mode | UnixFileMode.UserWrite);
                }

                return;
            }

            var chattr = new ProcessStartInfo("chattr") { RedirectStandardError = true };
            chattr.ArgumentList.Add(readOnly ? "+i" : "-i");
            foreach (var path in paths)
            {
                chattr.ArgumentList.Add(path);
            }

            using var process = Process.Start(chattr)!;
            string error = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(TestGateway.Timeout), "chattr did not finish");
            Assert.True(process.ExitCode == 0, $"chattr {(readOnly ? "+i" : "-i")} failed (as root this test needs the immutable attribute: CAP_LINUX_IMMUTABLE and an ext4/xfs/btrfs file system): {error}");
        }
    }
}
