using System.Text.RegularExpressions;
using Gateway.Api.Agents;
using Gateway.Api.Profiles;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Agents;

/// <summary>
/// Agents against a real mosquitto, one agent's trouble beside another's work: a duplicate and a flood
/// for one thing while another thing is notified; a broker that takes only user names and passwords;
/// a data endpoint given explicitly instead of <c>local</c>.
/// </summary>
public sealed class AgentIsolationTests
{
    [Fact]
    public async Task ADuplicateIsIgnored_AFloodForOneThingStartsFewSessionsAndTheNewestWins_OtherAgentsAreUnaffected()
    {
        await using var broker = await Mosquitto.StartAsync();

        // A coalescing window of a second: a flood published back to back falls into a few windows.
        var settings = new Dictionary<string, string?>(AgentTestSupport.FastAgents) { ["Agents:CoalesceWindow"] = "00:00:01" };
        await using var gateway = await TestGateway.StartAsync(settings: settings);
        using var echo = EchoServer.Start();
        await gateway.PutAgentAsync("flood", AgentNotificationTests.PlainAgent(broker, "flood-1", $"SSH=127.0.0.1:{echo.Port}"));
        await gateway.PutAgentAsync("calm", AgentNotificationTests.PlainAgent(broker, "calm-1", $"SSH=127.0.0.1:{echo.Port}"));
        int closedPort = SessionHarness.FreePort();
        await gateway.PutAgentAsync("nowhere", new { thingName = "nowhere-1", host = "127.0.0.1", port = closedPort, tls = false, services = "SSH=127.0.0.1:22", dataEndpoint = "local" });
        await gateway.WaitForAgentAsync("flood", s => s.State == "connected", "connected");
        await gateway.WaitForAgentAsync("calm", s => s.State == "connected", "connected");
        var nowhere = await gateway.WaitForAgentAsync("nowhere", s => s.LastError is not null, "told its broker is unreachable");
        Assert.NotEqual("connected", nowhere.State);
        await using var mqtt = await TestMqtt.ConnectAsync(broker);

        // A first session, then an exact repeat of its notification: ignored, the session stays.
        var firstTunnel = await gateway.CreateTunnelAsync("SSH");
        string firstPayload = TestMqtt.Notification(firstTunnel.DestinationAccessToken, "SSH");
        await mqtt.PublishAsync("flood-1", firstPayload);
        var first = await gateway.WaitForAgentAsync("flood", s => s.SessionId is not null, "started");
        await gateway.Sessions().WaitForAsync(first.SessionId!, s => s.State == SessionState.Connected);
        await mqtt.PublishAsync("flood-1", firstPayload);
        var repeated = await gateway.WaitForAgentAsync("flood", s => s.Notifications == 2, "told of the repeat");
        Assert.Equal("duplicate", repeated.LastNotificationResult);
        Assert.Equal(first.SessionId, repeated.SessionId);
        Assert.Equal(1, repeated.SessionsStarted);
        Assert.Null(gateway.Sessions().Get(first.SessionId!)!.EndedAt);

        // The flood: 100 notifications with made-up tokens and a few bad payloads, the real token last.
        // In the middle, the other thing is notified. Only a session on the real token can connect.
        var lastTunnel = await gateway.CreateTunnelAsync("SSH");
        var calmTunnel = await gateway.CreateTunnelAsync("SSH");
        var connected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(SessionEvent e)
        {
            if (e.Session.Name == "flood-1 (agent flood)" && e.Session.Id != first.SessionId && e.Session.State == SessionState.Connected)
            {
                connected.TrySetResult(e.Session.Id);
            }
        }

        gateway.Sessions().Changed += OnChanged;
        const int Flood = 100;
        int invalid = 0;
        try
        {
            for (int i = 0; i < Flood; i++)
            {
                if (i % 10 == 5)
                {
                    await mqtt.PublishAsync("flood-1", "{\"clientMode\":\"destination\",\"services\":\"SSH\"}");
                    invalid++;
                }

                if (i == Flood / 2)
                {
                    await mqtt.PublishAsync("calm-1", TestMqtt.Notification(calmTunnel.DestinationAccessToken, "SSH"));
                }

                await mqtt.PublishAsync("flood-1", TestMqtt.Notification($"made-up-token-{i}", "SSH"));
            }

            await mqtt.PublishAsync("flood-1", TestMqtt.Notification(lastTunnel.DestinationAccessToken, "SSH"));
            string newest = await connected.Task.WaitAsync(TestGateway.Timeout);
            int received = 2 + Flood + invalid + 1;
            var after = await gateway.WaitForAgentAsync("flood", s => s.Notifications == received && s.SessionId == newest, "holding the newest session");
            Assert.Equal("started", after.LastNotificationResult);
            Assert.True(after.SessionsStarted <= 11, $"a flood of {Flood + 1} within a one-second window must start a few sessions, not one each: {after.SessionsStarted} started");
            Assert.Single(gateway.Sessions().List(), s => s.Name == "flood-1 (agent flood)" && s.EndedAt is null);
            Assert.NotNull(gateway.Sessions().Get(first.SessionId!)!.EndedAt);

            // Every accepted notification is accounted for: it started a session or a newer one superseded it.
            using var http = gateway.CreateClient();
            string metrics = await http.GetStringAsync("/metrics");
            long started = Counter(metrics, "flood", "started");
            long superseded = Counter(metrics, "flood", "superseded");
            Assert.Equal(after.SessionsStarted, started);
            Assert.Equal(1 + Flood + 1, started + superseded);
            Assert.Equal(invalid, Counter(metrics, "flood", "invalid"));
            Assert.Equal(1, Counter(metrics, "flood", "duplicate"));

            int port = SessionHarness.FreePort();
            await using var source = ReferenceProxy.Start(gateway, lastTunnel.SourceAccessToken, "-s", $"SSH={port}");
            using var client = await source.ConnectToSourceAsync(port);
            await AgentTestSupport.AssertEchoAsync(client, 10_000);
        }
        finally
        {
            gateway.Sessions().Changed -= OnChanged;
        }

        // The other thing got its one session, and its state knows nothing of the flood.
        var calm = await gateway.WaitForAgentAsync("calm", s => s.SessionId is not null, "started");
        await gateway.Sessions().WaitForAsync(calm.SessionId!, s => s.State == SessionState.Connected);
        calm = gateway.Services.GetRequiredService<AgentRuntime>().Status("calm");
        Assert.Equal(("connected", 1L, 1L, "started"), (calm.State, calm.Notifications, calm.SessionsStarted, calm.LastNotificationResult));
        Assert.Null(calm.LastError);
        Assert.NotEqual("connected", gateway.Services.GetRequiredService<AgentRuntime>().Status("nowhere").State);
    }

    [Fact]
    public async Task ABrokerWithPasswords_TheRightOneConnectsAndStartsSessionsOnAnExplicitDataEndpoint_AWrongOneIsReported()
    {
        var users = new Dictionary<string, string> { ["gateway"] = "right-broker-password", ["aws"] = "publisher-password" };
        await using var broker = await Mosquitto.StartAsync(users: users);
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var echo = EchoServer.Start();
        var relay = gateway.Services.GetRequiredService<BuiltInRelayEndpoint>();
        string endpoint = new Uri(relay.Endpoint!).Authority;
        object Agent(string thing, string? password) => new
        {
            thingName = thing, host = "127.0.0.1", port = broker.Port, tls = false, userName = "gateway", password,
            services = $"SSH=127.0.0.1:{echo.Port}", dataEndpoint = endpoint, caPath = relay.CaDirectory,
        };

        await gateway.PutAgentAsync("right", Agent("door-1", "right-broker-password"));
        await gateway.PutAgentAsync("wrong", Agent("door-2", "wrong-broker-password"));
        await gateway.PutAgentAsync("none", Agent("door-3", null));
        await gateway.WaitForAgentAsync("right", s => s.State == "connected", "connected with its password");
        var wrong = await gateway.WaitForAgentAsync("wrong", s => s.LastError is not null, "refused by the broker");
        Assert.NotEqual("connected", wrong.State);
        Assert.Contains("refused the connection", wrong.LastError, StringComparison.Ordinal);
        var none = await gateway.WaitForAgentAsync("none", s => s.LastError is not null, "refused by the broker");
        Assert.Contains("refused the connection", none.LastError, StringComparison.Ordinal);

        // Kept on an update that leaves the password out: it still connects.
        await gateway.PutAgentAsync("right", Agent("door-1", null));
        await gateway.WaitForAgentAsync("right", s => s.State == "connected", "connected with its kept password");

        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var mqtt = await TestMqtt.ConnectAsync(broker, credentials: ("aws", "publisher-password"));
        await mqtt.PublishAsync("door-1", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH"));
        var status = await gateway.WaitForAgentAsync("right", s => s.SessionId is not null, "started");
        var session = await gateway.Sessions().WaitForAsync(status.SessionId!, s => s.State == SessionState.Connected);
        Assert.Contains(endpoint, session.Endpoint, StringComparison.Ordinal);

        int port = SessionHarness.FreePort();
        await using var source = ReferenceProxy.Start(gateway, tunnel.SourceAccessToken, "-s", $"SSH={port}");
        using var client = await source.ConnectToSourceAsync(port);
        await AgentTestSupport.AssertEchoAsync(client, 10_000);
        gateway.Logs.AssertNeverLogged("right-broker-password");
        gateway.Logs.AssertNeverLogged("wrong-broker-password");
    }

    [Fact]
    public async Task AnUnreachableServiceFailsOnlyItsConnection_TheNextNotificationWorks()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var echo = EchoServer.Start();
        int closedPort = SessionHarness.FreePort();
        await gateway.PutAgentAsync("valve", AgentNotificationTests.PlainAgent(broker, "valve-5", $"SSH=127.0.0.1:{echo.Port},WEB=127.0.0.1:{closedPort}"));
        await gateway.WaitForAgentAsync("valve", s => s.State == "connected", "connected");
        await using var mqtt = await TestMqtt.ConnectAsync(broker);

        // WEB maps to a port nothing listens on: the source's connection ends, the session stays up.
        // The destination first retries the connect as the reference does (tcp.connection_retry_count 5,
        // every 2.5 s), so that end comes after about 12.5 s: bounded by a minute, not the usual timeout.
        var webTunnel = await gateway.CreateTunnelAsync("WEB");
        await mqtt.PublishAsync("valve-5", TestMqtt.Notification(webTunnel.DestinationAccessToken, "WEB"));
        var web = await gateway.WaitForAgentAsync("valve", s => s.SessionId is not null, "started");
        await gateway.Sessions().WaitForAsync(web.SessionId!, s => s.State == SessionState.Connected);
        int webPort = SessionHarness.FreePort();
        await using (var source = ReferenceProxy.Start(gateway, webTunnel.SourceAccessToken, "-s", $"WEB={webPort}"))
        {
            using var client = await source.ConnectToSourceAsync(webPort);
            var buffer = new byte[16];
            int read;
            try
            {
                read = await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
            }
            catch (IOException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
        }

        // The next notification (two services this time) still starts a session that carries bytes.
        var tunnel = await gateway.CreateTunnelAsync("SSH", "WEB");
        await mqtt.PublishAsync("valve-5", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH", "WEB"));
        var next = await gateway.WaitForAgentAsync("valve", s => s.SessionId is { } id && id != web.SessionId, "started again");
        Assert.Equal("started", next.LastNotificationResult);
        Assert.Null(next.LastError);
        await gateway.Sessions().WaitForAsync(next.SessionId!, s => s.State == SessionState.Connected);
        int port = SessionHarness.FreePort();
        int secondWebPort = SessionHarness.FreePort();
        await using (var source = ReferenceProxy.Start(gateway, tunnel.SourceAccessToken, "-s", $"SSH={port},WEB={secondWebPort}"))
        {
            using var client = await source.ConnectToSourceAsync(port);
            await AgentTestSupport.AssertEchoAsync(client, 10_000);
        }

    }

    /// <summary>
    /// An agent without a data endpoint connects where the notification's region says: AWS's data
    /// plane (.com.cn for China). Checked on the spec and its validation, never by connecting there.
    /// </summary>
    [Theory]
    [InlineData("eu-west-1", "data.tunneling.iot.eu-west-1.amazonaws.com")]
    [InlineData("cn-north-1", "data.tunneling.iot.cn-north-1.amazonaws.com.cn")]
    public void WithoutADataEndpointTheNotificationsRegionNamesAwsDataPlane(string region, string host)
    {
        var notification = new TunnelNotification("made-up-token", region, ["SSH"]);
        var (spec, error) = AgentSessions.SpecFor("agent valve-6", dataEndpoint: null, caPath: null, notification, "SSH=127.0.0.1:22", relayEndpoint: null, relayCaDirectory: null);
        Assert.Null(error);
        Assert.Equal(SessionMode.Destination, spec!.Mode);
        Assert.Equal(region, spec.Region);
        Assert.Null(spec.Endpoint);
        var validated = SessionSpecValidator.Validate(spec);
        Assert.True(validated.IsValid, string.Join("; ", validated.Errors.Select(e => e.Message)));
        Assert.Equal(host, validated.Spec!.Endpoint.Host);

        var local = AgentSessions.SpecFor("agent valve-6", AgentRules.LocalDataEndpoint, caPath: null, notification, "SSH=127.0.0.1:22", relayEndpoint: null, relayCaDirectory: null);
        Assert.Null(local.Spec);
        Assert.Contains("no HTTPS address", local.Error, StringComparison.Ordinal);
    }

    private static long Counter(string metrics, string agent, string result)
    {
        var match = Regex.Match(metrics, $"^tunnelgateway_agent_notifications_total\\{{(?=[^}}]*agent=\"{agent}\")(?=[^}}]*result=\"{result}\")[^}}]*\\}} (\\d+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"no notifications_total for {agent}/{result} in:\n{metrics}");
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
