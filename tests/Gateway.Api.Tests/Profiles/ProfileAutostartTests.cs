using System.Net;
using Gateway.Api.History;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Profiles;

/// <summary>Profiles marked <c>autostart</c> start by themselves when the gateway starts; one that cannot start is a warning, not a failed start.</summary>
public sealed class ProfileAutostartTests
{
    private const int NotStartedEventId = 3311;

    [Fact]
    public async Task AutostartProfilesComeUpAfterARestartAndCarryTraffic()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        using var echo = EchoServer.Start();
        int port = SessionHarness.FreePort();
        string destinationProfileId;
        string sourceProfileId;
        string sourceToken;
        string destinationToken;

        // Relay tokens are single-use: the first gateway only saves the profiles; autostart runs
        // at host start, so saving them with autostart: true starts nothing here.
        await using (var first = await TestGateway.StartAsync(dataDirectory))
        {
            (destinationProfileId, sourceProfileId, sourceToken, destinationToken) = await CreateAutostartPairAsync(first, echo.Port, port);
            Assert.Empty(first.Sessions().List());
        }

        await using var gateway = await TestGateway.StartAsync(dataDirectory);
        var sessions = gateway.Sessions();
        var started = await WaitForProfileSessionsAsync(sessions, [destinationProfileId, sourceProfileId]);
        var destination = Assert.Single(started, s => s.ProfileId == destinationProfileId);
        var source = Assert.Single(started, s => s.ProfileId == sourceProfileId);
        Assert.Equal(SessionMode.Destination, destination.Mode);
        Assert.Equal(SessionMode.Source, source.Mode);
        Assert.Equal("auto-source", source.Name);
        Assert.StartsWith($"wss://127.0.0.1:{gateway.HttpsBase.Port}", source.Endpoint, StringComparison.Ordinal);

        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);
        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoRandomAsync(16 * 1024);
        }

        using var admin = gateway.CreateClient();
        var listed = await admin.GetJsonAsync($"/api/tunnels?profile={sourceProfileId}");
        Assert.Equal([source.Id], listed.EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        Assert.True(await gateway.Services.GetRequiredService<SessionHistoryRecorder>().FlushAsync(TestGateway.Timeout));
        var rows = (await admin.GetJsonAsync("/api/history")).EnumerateArray().ToList();
        foreach (var (id, profileId) in new[] { (destination.Id, destinationProfileId), (source.Id, sourceProfileId) })
        {
            var row = Assert.Single(rows, r => r.GetProperty("id").GetString() == id);
            Assert.Equal("autostart", row.GetProperty("startedBy").GetString());
            Assert.Equal(profileId, row.GetProperty("profileId").GetString());
        }

        Assert.DoesNotContain(gateway.Logs.Lines, l => l.EventId == NotStartedEventId);
        gateway.Logs.AssertNeverLogged(sourceToken);
        gateway.Logs.AssertNeverLogged(destinationToken);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task AnAutostartProfileWithoutATokenIsAWarningAndTheGatewayStillStarts()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string laterProfileId;
        string destinationToken;
        await using (var first = await TestGateway.StartAsync(dataDirectory))
        {
            using var http = first.CreateClient();
            var tunnel = await first.CreateTunnelAsync("SSH");
            destinationToken = tunnel.DestinationAccessToken;

            // Profiles autostart in name order: "a-..." is tried (and refused) before "b-..." starts.
            await http.PostJsonAsync("/api/profiles", new
            {
                name = "a-no-token",
                mode = "destination",
                useBuiltInRelay = true,
                services = "SSH=127.0.0.1:22",
                autostart = true,
            }, HttpStatusCode.Created);
            laterProfileId = (await http.PostJsonAsync("/api/profiles", new
            {
                name = "b-with-token",
                mode = "destination",
                useBuiltInRelay = true,
                services = "SSH=127.0.0.1:9",
                settings = FastSettingsJson,
                autostart = true,
                accessToken = destinationToken,
            }, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        }

        await using var gateway = await TestGateway.StartAsync(dataDirectory);
        var later = Assert.Single(await WaitForProfileSessionsAsync(gateway.Sessions(), [laterProfileId]));
        await gateway.Sessions().WaitReadyAsync(later.Id);

        var warning = Assert.Single(gateway.Logs.Lines, l => l.EventId == NotStartedEventId);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("a-no-token", warning.Message, StringComparison.Ordinal);
        Assert.Contains("accessToken", warning.Message, StringComparison.Ordinal);
        Assert.Single(gateway.Sessions().List());

        using var http2 = gateway.CreateClient();
        Assert.Equal(2, (await http2.GetJsonAsync("/api/profiles")).GetArrayLength());
        gateway.Logs.AssertNeverLogged(destinationToken);
        gateway.Logs.AssertNoErrors();
    }

    /// <summary>
    /// Waits (event-driven, bounded) until the session manager holds a session of every profile in
    /// <paramref name="profileIds"/>. Subscribes before looking, so a session started meanwhile is not missed.
    /// </summary>
    private static async Task<List<SessionSnapshot>> WaitForProfileSessionsAsync(SessionManager sessions, IReadOnlyCollection<string> profileIds)
    {
        var signal = new SemaphoreSlim(0);
        void OnChanged(SessionEvent e) => signal.Release();
        sessions.Changed += OnChanged;
        try
        {
            using var cts = new CancellationTokenSource(TestGateway.Timeout);
            while (true)
            {
                var found = sessions.List().Where(s => s.ProfileId is { } id && profileIds.Contains(id)).ToList();
                if (profileIds.All(id => found.Exists(s => s.ProfileId == id)))
                {
                    return found;
                }

                try
                {
                    await signal.WaitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"autostart did not start sessions of profiles {string.Join(", ", profileIds)}; found {string.Join(", ", found.Select(s => s.ProfileId))}");
                }
            }
        }
        finally
        {
            sessions.Changed -= OnChanged;
        }
    }

    [Fact]
    public async Task AutostartSessionsAreResumedAtEveryLaterRestart_NotStartedAgainWithTheirSpentTokens()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        using var echo = EchoServer.Start();
        int port = SessionHarness.FreePort();
        string destinationProfileId, sourceProfileId;
        await using (var first = await TestGateway.StartAsync(dataDirectory))
        {
            (destinationProfileId, sourceProfileId, _, _) = await CreateAutostartPairAsync(first, echo.Port, port);
        }

        IReadOnlyList<SessionSnapshot> started;
        await using (var second = await TestGateway.StartAsync(dataDirectory))
        {
            started = await WaitForProfileSessionsAsync(second.Sessions(), [destinationProfileId, sourceProfileId]);
            foreach (var session in started)
            {
                await second.Sessions().WaitReadyAsync(session.Id);
            }
        }

        // Another start, on another port: the same sessions come back, aimed at the relay where it listens now.
        await using var third = await TestGateway.StartAsync(dataDirectory);
        var sessions = third.Sessions();
        await third.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().Resumed.WaitAsync(TestGateway.Timeout);
        foreach (var session in started)
        {
            var resumed = await sessions.WaitReadyAsync(session.Id);
            Assert.StartsWith($"wss://127.0.0.1:{third.HttpsBase.Port}", resumed.Endpoint, StringComparison.Ordinal);
        }

        Assert.Equal(2, sessions.List().Count);
        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoRandomAsync(16 * 1024);
        }

        Assert.DoesNotContain(third.Logs.Lines, l => l.EventId == NotStartedEventId);
        third.Logs.AssertNoErrors();
    }

    /// <summary>A destination and a source profile on the built-in relay, both autostart, for one new relay tunnel.</summary>
    private static async Task<(string DestinationProfileId, string SourceProfileId, string SourceToken, string DestinationToken)> CreateAutostartPairAsync(TestGateway gateway, int echoPort, int port)
    {
        using var http = gateway.CreateClient();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string destinationProfileId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "auto-destination",
            mode = "destination",
            useBuiltInRelay = true,
            services = $"SSH=127.0.0.1:{echoPort}",
            settings = FastSettingsJson,
            autostart = true,
            accessToken = tunnel.DestinationAccessToken,
        }, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        string sourceProfileId = (await http.PostJsonAsync("/api/profiles", new
        {
            name = "auto-source",
            mode = "source",
            useBuiltInRelay = true,
            services = $"SSH={port}",
            bindAddress = "127.0.0.1",
            settings = FastSettingsJson,
            autostart = true,
            accessToken = tunnel.SourceAccessToken,
        }, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        return (destinationProfileId, sourceProfileId, tunnel.SourceAccessToken, tunnel.DestinationAccessToken);
    }
}
