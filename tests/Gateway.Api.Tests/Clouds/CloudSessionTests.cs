using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Clouds;

/// <summary>
/// Sessions on cloud tunnels against the built-in relay as the cloud <c>local</c>: the same client code
/// (SigV4-signed AWS JSON 1.1) that talks to AWS, over real HTTPS, WebSockets and TCP.
/// </summary>
public sealed class CloudSessionTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OneCallOpensTheTunnelAndStartsTheSource_TheReferenceDestinationCarriesTraffic_StopClosesTheTunnel()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var client = gateway.CreateClient();
        var (opened, port) = await OpenAsync(client, port => new
        {
            open = new { cloud = "local", thingName = "pump-17", services = new[] { "SSH" }, description = "bastion", lifetimeMinutes = 30, tags = new Dictionary<string, string> { ["team"] = "ops" } },
            services = $"{port}",
            bindAddress = "127.0.0.1",
        });

        var session = opened.GetProperty("session");
        var tunnel = opened.GetProperty("tunnel");
        string sessionId = session.GetProperty("id").GetString()!;
        string tunnelId = tunnel.GetProperty("tunnelId").GetString()!;
        Assert.Equal(tunnelId, session.GetProperty("tunnel").GetProperty("tunnelId").GetString());
        Assert.StartsWith("arn:aws:iot:", tunnel.GetProperty("tunnelArn").GetString(), StringComparison.Ordinal);
        Assert.True(tunnel.GetProperty("closeOnStop").GetBoolean());
        string destinationToken = tunnel.GetProperty("destinationAccessToken").GetString()!;

        // The tunnel is on the relay as the operator asked for it.
        var relayTunnel = await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}");
        Assert.Equal("SSH", relayTunnel.GetProperty("services")[0].GetString());

        await using var destination = ReferenceProxy.Start(gateway, destinationToken, "-d", $"SSH=127.0.0.1:{echo.Port}");
        var sessions = gateway.Services.GetRequiredService<SessionManager>();
        await sessions.WaitReadyAsync(sessionId);
        await WaitDestinationConnectedAsync(client, tunnelId, destination);
        using (var socket = await Tcp.ConnectAsync(port))
        {
            byte[] payload = Tcp.RandomBytes(64 * 1024);
            Assert.Equal(payload, await Tcp.EchoAsync(socket, payload));
        }

        using var stopped = await client.DeleteAsync($"/api/tunnels/{sessionId}");
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        relayTunnel = await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}");
        Assert.Equal("Closed", relayTunnel.GetProperty("state").GetString());
        Assert.Equal(0, await destination.WaitForExitAsync(Exit));

        // The destination token was in the open's answer only: not in a log line, the session, its history or the audit.
        gateway.Logs.AssertNeverLogged(destinationToken);
        foreach (string path in new[] { $"/api/tunnels/{sessionId}", $"/api/tunnels/{sessionId}/logs", "/api/history", "/api/audit" })
        {
            Assert.DoesNotContain(destinationToken, await client.GetStringAsync(path), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConnectRotatesTheSourceTokenOfATunnelSomeoneElseOpened()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var client = gateway.CreateClient();
        var created = await gateway.CreateTunnelAsync("SSH");
        await using var destination = ReferenceProxy.Start(gateway, created.DestinationAccessToken, "-d", $"SSH=127.0.0.1:{echo.Port}");

        var listed = await client.GetFromJsonAsync<JsonElement>("/api/clouds/local/tunnels");
        var entry = listed.GetProperty("tunnels").EnumerateArray().Single(t => t.GetProperty("tunnelId").GetString() == created.TunnelId);
        Assert.Equal("OPEN", entry.GetProperty("status").GetString());
        Assert.Equal("SSH", entry.GetProperty("services")[0].GetString());
        Assert.Equal(0, entry.GetProperty("sessionIds").GetArrayLength());

        JsonElement session = default;
        int port = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            port = Tcp.FreePort();
            using var response = await client.PostAsJsonAsync($"/api/clouds/local/tunnels/{created.TunnelId}/connect", new { services = $"SSH={port}", bindAddress = "127.0.0.1" });
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, text);
            session = JsonDocument.Parse(text).RootElement.Clone();
            break;
        }

        string sessionId = session.GetProperty("id").GetString()!;
        await gateway.Services.GetRequiredService<SessionManager>().WaitReadyAsync(sessionId);
        await WaitDestinationConnectedAsync(client, created.TunnelId, destination);
        using (var socket = await Tcp.ConnectAsync(port))
        {
            byte[] payload = Tcp.RandomBytes(4096);
            Assert.Equal(payload, await Tcp.EchoAsync(socket, payload));
        }

        // The token the other party held was revoked by the rotation.
        await Assert.ThrowsAnyAsync<System.Net.WebSockets.WebSocketException>(() => gateway.ConnectAsync("source", created.SourceAccessToken));
        listed = await client.GetFromJsonAsync<JsonElement>("/api/clouds/local/tunnels");
        entry = listed.GetProperty("tunnels").EnumerateArray().Single(t => t.GetProperty("tunnelId").GetString() == created.TunnelId);
        Assert.Equal(sessionId, entry.GetProperty("sessionIds")[0].GetString());
        Assert.Equal("CONNECTED", entry.GetProperty("sourceConnectionState").GetString());

        // Someone else's tunnel stays open when the session stops.
        using var stopped = await client.DeleteAsync($"/api/tunnels/{sessionId}");
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        var relayTunnel = await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{created.TunnelId}");
        Assert.Equal("Open", relayTunnel.GetProperty("state").GetString());
    }

    [Fact]
    public async Task WhetherAStopClosesTheTunnelIsChosenPerCall()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        // Opened here: closeTunnel=false keeps the tunnel open.
        var (opened, _) = await OpenAsync(client, p => new { open = new { cloud = "local", services = new[] { "SSH" } }, services = $"SSH={p}", bindAddress = "127.0.0.1" });
        string sessionId = opened.GetProperty("session").GetProperty("id").GetString()!;
        string tunnelId = opened.GetProperty("tunnel").GetProperty("tunnelId").GetString()!;
        using (var stopped = await client.DeleteAsync($"/api/tunnels/{sessionId}?closeTunnel=false"))
        {
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        }

        Assert.Equal("Open", (await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());

        // Attached (someone else's, by default left open): closeTunnel=true closes it.
        string attachedId = string.Empty;
        for (int attempt = 0; attempt < 5 && attachedId.Length == 0; attempt++)
        {
            using var response = await client.PostAsJsonAsync($"/api/clouds/local/tunnels/{tunnelId}/connect", new { services = $"SSH={Tcp.FreePort()}", bindAddress = "127.0.0.1" });
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Conflict)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, text);
                attachedId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
            }
        }

        using (var stopped = await client.DeleteAsync($"/api/tunnels/{attachedId}?closeTunnel=true"))
        {
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        }

        Assert.Equal("Closed", (await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task ASessionStartedAgainWithANewTokenKeepsTheOpensChoiceToLeaveTheTunnelOpen()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var (opened, _) = await OpenAsync(client, p => new { open = new { cloud = "local", services = new[] { "SSH" }, closeOnStop = false }, services = $"SSH={p}", bindAddress = "127.0.0.1" });
        string sessionId = opened.GetProperty("session").GetProperty("id").GetString()!;
        string tunnelId = opened.GetProperty("tunnel").GetProperty("tunnelId").GetString()!;
        Assert.False(opened.GetProperty("tunnel").GetProperty("closeOnStop").GetBoolean());
        (await client.DeleteAsync($"/api/tunnels/{sessionId}")).EnsureSuccessStatusCode();
        Assert.Equal("Open", (await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());

        using (var restarted = await client.PostAsJsonAsync($"/api/tunnels/{sessionId}/token", new { rotate = true }))
        {
            Assert.True(restarted.StatusCode == HttpStatusCode.OK, await restarted.Content.ReadAsStringAsync());
        }

        (await client.DeleteAsync($"/api/tunnels/{sessionId}")).EnsureSuccessStatusCode();
        Assert.Equal("Open", (await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task RestartsResumeTheSession_ATokenRevokedMeanwhileIsRotatedOnTheCloudAndTheNewOneSurvivesTheNextRestart()
    {
        // The cloud is another gateway's relay, reached with a static key as AWS would be.
        await using var cloud = await TestGateway.StartAsync();
        var key = await Aws.AwsTestKeys.CreateAsync(cloud, "operator");
        using var cloudClient = cloud.CreateClient();
        string data = TestGateway.NewDataDirectory();
        int httpsPort = Tcp.FreePort();
        using var echo = EchoServer.Start();
        string sessionId, tunnelId;
        int port;
        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            using var client = gateway.CreateClient();
            using var put = await client.PutAsJsonAsync("/api/clouds/site", new
            {
                region = "us-east-1",
                managementEndpoint = $"https://127.0.0.1:{cloud.HttpsBase.Port}",
                dataEndpoint = $"wss://127.0.0.1:{cloud.HttpsBase.Port}",
                caPath = cloud.CaDirectory(),
                credentialSource = "static",
                accessKeyId = key.AccessKeyId,
                secretAccessKey = key.SecretAccessKey,
            });
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            JsonElement opened;
            (opened, port) = await OpenAsync(client, p => new
            {
                open = new { cloud = "site", services = new[] { "SSH" } },
                services = $"SSH={p}",
                bindAddress = "127.0.0.1",
                destination = new { services = $"SSH=127.0.0.1:{echo.Port}" },
            });
            sessionId = opened.GetProperty("session").GetProperty("id").GetString()!;
            tunnelId = opened.GetProperty("tunnel").GetProperty("tunnelId").GetString()!;

            // The destination runs here, so its token is not handed out.
            Assert.False(opened.GetProperty("tunnel").TryGetProperty("destinationAccessToken", out var token) && token.ValueKind == JsonValueKind.String);
            Assert.NotNull(opened.GetProperty("destinationSession").GetProperty("id").GetString());
            await EchoThroughAsync(gateway, sessionId, port, cloudClient, tunnelId);
        }

        // Resumed with the same access and client token.
        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            await EchoThroughAsync(gateway, sessionId, port, cloudClient, tunnelId);
        }

        // While the gateway is down someone rotates the source token: at the next start the service refuses
        // the stored one, and the gateway rotates it on the cloud where it opened the tunnel.
        using (var rotated = await cloudClient.PostAsJsonAsync($"/api/relay/tunnels/{tunnelId}/rotate", new { ends = "SOURCE" }))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            var sessions = gateway.Services.GetRequiredService<SessionManager>();
            await gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().Resumed.WaitAsync(TestGateway.Timeout);
            await WaitForLogAsync(sessions, sessionId, "rotated the SOURCE token");
            await EchoThroughAsync(gateway, sessionId, port, cloudClient, tunnelId);

            using var client = gateway.CreateClient();
            var audit = await client.GetFromJsonAsync<JsonElement>("/api/audit");
            Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("actor").GetString() == "gateway" && e.GetProperty("path").GetString()!.Contains("rotate SOURCE token", StringComparison.Ordinal));
            await gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().FlushAsync(TestGateway.Timeout);
        }

        // The rotated token was stored: the next start resumes with it at once.
        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            await EchoThroughAsync(gateway, sessionId, port, cloudClient, tunnelId);
            var log = gateway.Services.GetRequiredService<SessionManager>().GetLog(sessionId)!;
            Assert.DoesNotContain(log, l => l.Message.Contains("refused", StringComparison.Ordinal));

            using var client = gateway.CreateClient();
            using var stopped = await client.DeleteAsync($"/api/tunnels/{sessionId}");
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            var relayTunnel = await cloudClient.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}");
            Assert.Equal("Closed", relayTunnel.GetProperty("state").GetString());
            await gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().FlushAsync(TestGateway.Timeout);
        }

        // Stopped by the operator: not resumed again.
        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            await gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().Resumed.WaitAsync(TestGateway.Timeout);
            Assert.Null(gateway.Services.GetRequiredService<SessionManager>().Get(sessionId));
        }
    }

    [Fact]
    public async Task AfterARestartASpentTokenOfATunnelTheGatewayOpenedIsRotatedThere_TheSessionLogAndTheAuditSaySo()
    {
        await using var cloud = await TestGateway.StartAsync();
        var key = await Aws.AwsTestKeys.CreateAsync(cloud, "operator");
        using var cloudClient = cloud.CreateClient();
        string data = TestGateway.NewDataDirectory();
        int httpsPort = Tcp.FreePort();
        using var echo = EchoServer.Start();
        string sessionId, tunnelId;
        int port;
        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            using var client = gateway.CreateClient();
            (await client.PutAsJsonAsync("/api/clouds/site", new
            {
                region = "us-east-1",
                managementEndpoint = $"https://127.0.0.1:{cloud.HttpsBase.Port}",
                dataEndpoint = $"wss://127.0.0.1:{cloud.HttpsBase.Port}",
                caPath = cloud.CaDirectory(),
                credentialSource = "static",
                accessKeyId = key.AccessKeyId,
                secretAccessKey = key.SecretAccessKey,
            })).EnsureSuccessStatusCode();
            JsonElement opened;
            (opened, port) = await OpenAsync(client, p => new
            {
                open = new { cloud = "site", services = new[] { "SSH" } },
                services = $"SSH={p}",
                bindAddress = "127.0.0.1",
                destination = new { services = $"SSH=127.0.0.1:{echo.Port}" },
            });
            sessionId = opened.GetProperty("session").GetProperty("id").GetString()!;
            tunnelId = opened.GetProperty("tunnel").GetProperty("tunnelId").GetString()!;
            await EchoThroughAsync(gateway, sessionId, port, cloudClient, tunnelId);

            // The stored row loses its client token (as a row written before the session connected, or
            // by a gateway that did not keep it): at the next start the service takes the token as spent.
            var sessions = gateway.Services.GetRequiredService<SessionManager>();
            var resumption = gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>();
            var spec = sessions.GetStartInfo(sessionId)!.Value.Spec;
            resumption.Track(sessions.Get(sessionId)!, spec with { ClientToken = ClientTokens.Generate() }, "test", closeTunnelOnStop: true);
            await resumption.FlushAsync(TestGateway.Timeout);
        }

        await using (var gateway = await TestGateway.StartAsync(data, httpsPort: httpsPort))
        {
            var sessions = gateway.Services.GetRequiredService<SessionManager>();
            await gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().Resumed.WaitAsync(TestGateway.Timeout);
            await WaitForLogAsync(sessions, sessionId, "rotated the SOURCE token");
            Assert.Contains(sessions.GetLog(sessionId)!, l => l.Message.Contains("previously used", StringComparison.Ordinal));
            await EchoThroughAsync(gateway, sessionId, port, cloudClient, tunnelId);

            using var client = gateway.CreateClient();
            var audit = await client.GetFromJsonAsync<JsonElement>("/api/audit");
            Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("actor").GetString() == "gateway"
                && e.GetProperty("path").GetString()!.Contains($"/api/tunnels/{sessionId} rotate SOURCE token", StringComparison.Ordinal)
                && e.GetProperty("status").GetInt32() == 200);

            using var stopped = await client.DeleteAsync($"/api/tunnels/{sessionId}");
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            Assert.Equal("Closed", (await cloudClient.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());
        }
    }

    [Fact]
    public async Task ASpentTokenEndsTheSessionSayingSo_ANewTokenStartsItAgainUnderItsId()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();
        var created = await gateway.CreateTunnelAsync("SSH");

        // Someone used the source token before, with another client token.
        using (var first = await gateway.ConnectAsync("source", created.SourceAccessToken, clientToken: new string('a', 40)))
        {
            await first.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TestGateway.Timeout);
        }

        var (started, port) = await OpenAsync(client, p => new { mode = "source", endpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}", caPath = gateway.CaDirectory(), accessToken = created.SourceAccessToken, services = $"SSH={p}", bindAddress = "127.0.0.1" });
        string id = started.GetProperty("id").GetString()!;
        var sessions = gateway.Services.GetRequiredService<SessionManager>();
        var failed = await sessions.WaitForAsync(id, s => s.State == SessionState.Failed);
        Assert.StartsWith("the token was spent: rotate it or give a new one", failed.StateReason, StringComparison.Ordinal);

        using (var noCloud = await client.PostAsJsonAsync($"/api/tunnels/{id}/token", new { rotate = true }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noCloud.StatusCode);
            Assert.Contains("rotate", await noCloud.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var rotated = await client.PostAsJsonAsync($"/api/relay/tunnels/{created.TunnelId}/rotate", new { ends = "SOURCE" });
        string fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sourceAccessToken").GetString()!;
        using (var restarted = await client.PostAsJsonAsync($"/api/tunnels/{id}/token", new { accessToken = fresh }))
        {
            string text = await restarted.Content.ReadAsStringAsync();
            Assert.True(restarted.StatusCode == HttpStatusCode.OK, text);
            Assert.DoesNotContain(fresh, text, StringComparison.Ordinal);
        }

        await sessions.WaitForAsync(id, s => s.State == SessionState.Connected);
        using var running = await client.PostAsJsonAsync($"/api/tunnels/{id}/token", new { accessToken = fresh });
        Assert.Equal(HttpStatusCode.Conflict, running.StatusCode);
        _ = port;
    }

    [Fact]
    public async Task BadInputIsRefusedNamingTheField_AndAFailedStartLeavesNoTunnelOpen()
    {
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Relay:MaxOpenTunnels"] = "2" });
        using var client = gateway.CreateClient();

        await AssertFieldAsync(client, new { open = new { cloud = "nowhere", services = new[] { "SSH" } }, services = "SSH=2222" }, "open.cloud", "nowhere");
        await AssertFieldAsync(client, new { open = new { cloud = "local" }, services = "SSH=2222" }, "open.services", "required");
        await AssertFieldAsync(client, new { open = new { cloud = "local", services = new[] { "SSH", "WEB" } }, services = "SSH=2222" }, "services", "WEB");
        await AssertFieldAsync(client, new { open = new { cloud = "local", services = new[] { "SSH" } }, services = "SSH=2222", accessToken = "x" }, "accessToken", "from the cloud");
        await AssertFieldAsync(client, new { open = new { cloud = "local", services = new[] { "SSH" }, lifetimeMinutes = 721 }, services = "SSH=2222" }, "open.lifetimeMinutes", "720");
        await AssertFieldAsync(client, new { open = new { cloud = "local", services = new[] { "SSH" } }, services = "SSH=2222", destination = new { services = "WEB=127.0.0.1:80" } }, "destination.services", "SSH");
        await AssertFieldAsync(client, new { mode = "source", endpoint = "wss://127.0.0.1:1", accessToken = "t", services = "SSH=2222", destination = new { services = "SSH=127.0.0.1:22" } }, "destination", "open");

        // A port in use: 409, and the tunnel opened for it is closed again.
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int busyPort = ((IPEndPoint)busy.LocalEndpoint).Port;
        using (var response = await client.PostAsJsonAsync("/api/tunnels", new { open = new { cloud = "local", services = new[] { "SSH" } }, services = $"SSH={busyPort}", bindAddress = "127.0.0.1" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains("closed again", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var relayTunnels = await client.GetFromJsonAsync<JsonElement>("/api/relay/tunnels");
        Assert.DoesNotContain(relayTunnels.EnumerateArray(), t => t.GetProperty("state").GetString() == "Open");

        // The cloud's own refusals become problems naming the cause.
        await gateway.CreateTunnelAsync("A");
        await gateway.CreateTunnelAsync("B");
        using (var response = await client.PostAsJsonAsync("/api/tunnels", new { open = new { cloud = "local", services = new[] { "SSH" } }, services = $"SSH={Tcp.FreePort()}" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("LimitExceededException", problem.GetProperty("code").GetString());
            Assert.StartsWith("limit exceeded", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var response = await client.PostAsJsonAsync("/api/clouds/local/tunnels/00000000-0000-0000-0000-000000000000/connect", new { services = "SSH=2222" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("ResourceNotFoundException", problem.GetProperty("code").GetString());
        }

        using (var response = await client.GetAsync("/api/clouds/nowhere/tunnels"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    /// <summary>Opens a tunnel through <c>POST /api/tunnels</c> on a free port (another one when a parallel test took it).</summary>
    internal static async Task<(JsonElement Opened, int Port)> OpenAsync(HttpClient client, Func<int, object> bodyForPort)
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = Tcp.FreePort();
            using var response = await client.PostAsJsonAsync("/api/tunnels", bodyForPort(port));
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {text}");
            return (JsonDocument.Parse(text).RootElement.Clone(), port);
        }
    }

    private static async Task EchoThroughAsync(TestGateway gateway, string sessionId, int port, HttpClient relay, string tunnelId)
    {
        var sessions = gateway.Services.GetRequiredService<SessionManager>();
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (sessions.Get(sessionId) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"session {sessionId} was not resumed");
            await gateway.Services.GetRequiredService<Gateway.Api.Sessions.SessionResumption>().Resumed.WaitAsync(TestGateway.Timeout);
        }

        await sessions.WaitReadyAsync(sessionId);
        await WaitDestinationConnectedAsync(relay, tunnelId);
        using var socket = await Tcp.ConnectAsync(port);
        byte[] payload = Tcp.RandomBytes(16 * 1024);
        Assert.Equal(payload, await Tcp.EchoAsync(socket, payload));
    }

    // Traffic before the destination is attached is dropped by the relay (as by AWS); the reference says
    // nothing machine-readable when it connects, so the relay's state is polled with a deadline.
    private static async Task WaitDestinationConnectedAsync(HttpClient relay, string tunnelId, ReferenceProxy? destination = null)
    {
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (!(await relay.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("destination").GetProperty("connected").GetBoolean())
        {
            Assert.True(DateTime.UtcNow < deadline && destination?.HasExited != true, $"the destination did not connect:\n{destination?.Output}");
            await Task.Delay(50);
        }
    }

    private static async Task WaitForLogAsync(SessionManager sessions, string sessionId, string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string id, SessionLogLine line)
        {
            if (id == sessionId && line.Message.Contains(text, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }

        sessions.LogWritten += OnLine;
        try
        {
            if (sessions.GetLog(sessionId)?.Any(l => l.Message.Contains(text, StringComparison.Ordinal)) != true)
            {
                try
                {
                    await seen.Task.WaitAsync(TestGateway.Timeout);
                }
                catch (TimeoutException)
                {
                    var snapshot = sessions.Get(sessionId);
                    Assert.Fail($"no log line '{text}'; session {snapshot?.State} ({snapshot?.StateReason}); log:\n{string.Join('\n', sessions.GetLog(sessionId)?.Select(l => l.Message) ?? [])}");
                }
            }
        }
        finally
        {
            sessions.LogWritten -= OnLine;
        }
    }

    private static async Task AssertFieldAsync(HttpClient client, object body, string field, string phrase)
    {
        using var response = await client.PostAsJsonAsync("/api/tunnels", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {(int)response.StatusCode} {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for {field}: {text}");
        Assert.Contains(phrase, messages[0].GetString(), StringComparison.Ordinal);
    }
}
