using System.Text;
using Gateway.Api.Agents;
using Gateway.Api.Data;
using Gateway.Api.History;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Agents;

/// <summary>Agents against a real mosquitto: notification to destination session to traffic from the reference proxy; bad input; broker restarts; TLS with client certificates.</summary>
public sealed class AgentNotificationTests
{
    [Fact]
    public async Task NotificationStartsDestinationSession_ReferenceSourceCarriesBytes_HistorySaysByNotification()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var echo = EchoServer.Start();
        await gateway.PutAgentAsync("pump", PlainAgent(broker, "pump-17", $"SSH=127.0.0.1:{echo.Port},WEB=127.0.0.1:1"));
        await gateway.WaitForAgentAsync("pump", s => s.State == "connected", "connected");

        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var mqtt = await TestMqtt.ConnectAsync(broker);
        await mqtt.PublishAsync("pump-17", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH"));
        var status = await gateway.WaitForAgentAsync("pump", s => s.SessionId is not null, "started");
        Assert.Equal("started", status.LastNotificationResult);
        var session = await gateway.Sessions().WaitForAsync(status.SessionId!, s => s.State == SessionState.Connected);
        Assert.Equal(SessionMode.Destination, session.Mode);
        Assert.Equal("pump-17 (agent pump)", session.Name);

        int port = SessionHarness.FreePort();
        await using var source = ReferenceProxy.Start(gateway, tunnel.SourceAccessToken, "-s", $"SSH={port}");
        using var client = await source.ConnectToSourceAsync(port);
        await AgentTestSupport.AssertEchoAsync(client, 100_000);

        await gateway.Services.GetRequiredService<SessionHistoryRecorder>().FlushAsync(TestGateway.Timeout);
        await using var db = await gateway.Services.GetRequiredService<IDbContextFactory<GatewayDbContext>>().CreateDbContextAsync();
        var row = await db.SessionHistory.SingleAsync(h => h.Id == session.Id);
        Assert.Equal("notification (agent pump)", row.StartedBy);
        gateway.Logs.AssertNeverLogged(tunnel.DestinationAccessToken);
    }

    [Fact]
    public async Task BadPayloadsAndABurstWithFailures_ThenTheNextNotificationStillWorks()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var echo = EchoServer.Start();
        await gateway.PutAgentAsync("cam", PlainAgent(broker, "camera-3", $"SSH=127.0.0.1:{echo.Port}"));
        await gateway.WaitForAgentAsync("cam", s => s.State == "connected", "connected");
        await using var mqtt = await TestMqtt.ConnectAsync(broker);

        string[] bad =
        [
            "{not json",
            "[1,2,3]",
            "null",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"source\",\"region\":\"us-east-1\",\"services\":[\"SSH\"]}",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"Destination\",\"region\":\"us-east-1\",\"services\":[\"SSH\"]}",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[]}",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[22]}",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"destination\",\"region\":\"\",\"services\":[\"SSH\"]}",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"destination\",\"region\":\"../../x\",\"services\":[\"SSH\"]}",
            "{\"clientAccessToken\":\"\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"SSH\"]}",
            "{\"clientAccessToken\":7,\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"SSH\"]}",
            "{\"clientAccessToken\":\"t\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"SSH\"],\"x\":" + new string('[', 100) + new string(']', 100) + "}",
        ];
        foreach (var payload in bad)
        {
            await mqtt.PublishAsync("camera-3", payload);
            await gateway.WaitForAgentAsync("cam", s => s.LastNotificationResult == "invalid", "told of the invalid payload");
        }

        await mqtt.PublishAsync("camera-3", Encoding.UTF8.GetBytes(TestMqtt.Notification("t", "SSH") + new string(' ', 20_000)));
        var oversized = await gateway.WaitForAgentAsync("cam", s => s.Notifications == bad.Length + 1, "told of the oversized payload");
        Assert.Contains("more than the", oversized.LastError, StringComparison.Ordinal);

        // A service the agent does not map: refused, logged and audited.
        await mqtt.PublishAsync("camera-3", TestMqtt.Notification("token-for-rdp", "RDP"));
        var refused = await gateway.WaitForAgentAsync("cam", s => s.LastNotificationResult == "refused", "refusing RDP");
        Assert.Contains("RDP", refused.LastError, StringComparison.Ordinal);
        Assert.Contains(gateway.Logs.Lines, l => l.EventId == 4005 && l.Message.Contains("'cam'", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, l => l.EventId == 4003 && l.Message.Contains("'cam'", StringComparison.Ordinal));

        // 200 in a row: invalid ones, spent or made-up tokens, repeats; at most one session at a time.
        for (int i = 0; i < 200; i++)
        {
            string payload = (i % 4) switch
            {
                0 => "{\"clientMode\":",
                1 => TestMqtt.Notification($"made-up-token-{i}", "SSH"),
                2 => TestMqtt.Notification($"made-up-token-{i - 1}", "SSH"),
                _ => TestMqtt.Notification($"token-{i}", "RDP"),
            };
            await mqtt.PublishAsync("camera-3", payload);
        }

        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await mqtt.PublishAsync("camera-3", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH"));
        await mqtt.PublishAsync("camera-3", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH"));
        var last = await gateway.WaitForAgentAsync("cam", s => s.Notifications == bad.Length + 1 + 1 + 200 + 2 && s.LastNotificationResult is "started" or "duplicate" && s.SessionId is not null, "through the burst");
        var session = await WaitForConnectedAgentSessionAsync(gateway, "cam");
        Assert.True(last.SessionsStarted <= 60, $"a burst of 200 must not start a session each: {last.SessionsStarted} started");
        Assert.Single(gateway.Sessions().List(), s => s.Name == "camera-3 (agent cam)" && s.EndedAt is null);

        int port = SessionHarness.FreePort();
        await using var source = ReferenceProxy.Start(gateway, tunnel.SourceAccessToken, "-s", $"SSH={port}");
        using var client = await source.ConnectToSourceAsync(port);
        await AgentTestSupport.AssertEchoAsync(client, 10_000);
        Assert.Equal(session.Id, gateway.Services.GetRequiredService<AgentRuntime>().Status("cam").SessionId);

        await using var db = await gateway.Services.GetRequiredService<IDbContextFactory<GatewayDbContext>>().CreateDbContextAsync();
        var audit = await db.AuditLog.Where(a => a.Method == "MQTT" && a.Target == "cam").ToListAsync();
        Assert.NotEmpty(audit);
        Assert.All(audit, a => Assert.StartsWith("$aws/things/camera-3/tunnels/notify refused: RDP", a.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AfterABrokerRestartTheAgentResubscribesAndTheNextNotificationWorks()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var echo = EchoServer.Start();
        var hubStates = System.Threading.Channels.Channel.CreateUnbounded<AgentStatus>();
        await using var hub = Hubs.HubClient.Build(gateway);
        hub.On<AgentStatus>("agentChanged", status => hubStates.Writer.TryWrite(status));
        await hub.StartAsync().WaitAsync(TestGateway.Timeout);
        await gateway.PutAgentAsync("hmi", PlainAgent(broker, "hmi-2", $"SSH=127.0.0.1:{echo.Port}"));
        await gateway.WaitForAgentAsync("hmi", s => s.State == "connected", "connected");
        await ReadHubUntilAsync(hubStates.Reader, s => s.Name == "hmi" && s.State == "connected");
        using (var http = gateway.CreateClient())
        {
            string metrics = await http.GetStringAsync("/metrics");
            Assert.Matches("tunnelgateway_agent_connected\\{[^}]*agent=\"hmi\"[^}]*\\} 1", metrics);
        }

        await broker.KillAsync();
        var lost = await gateway.WaitForAgentAsync("hmi", s => s.State != "connected", "disconnected");
        Assert.NotNull(lost.LastError);
        await ReadHubUntilAsync(hubStates.Reader, s => s.Name == "hmi" && s.State != "connected" && s.LastError is not null);
        await broker.RunAsync();
        await gateway.WaitForAgentAsync("hmi", s => s.State == "connected", "reconnected");
        await ReadHubUntilAsync(hubStates.Reader, s => s.Name == "hmi" && s.State == "connected");

        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var mqtt = await TestMqtt.ConnectAsync(broker);
        await mqtt.PublishAsync("hmi-2", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH"));
        var status = await gateway.WaitForAgentAsync("hmi", s => s.SessionId is not null, "started");
        await gateway.Sessions().WaitForAsync(status.SessionId!, s => s.State == SessionState.Connected);
    }

    [Fact]
    public async Task TlsWithClientCertificates_TheRightCertificateConnects_AWrongOneIsReportedAndHarmsNoOther()
    {
        using var pki = new TestPki();
        using var stranger = new TestPki("a CA the broker does not know");
        await using var broker = await Mosquitto.StartAsync(pki);
        await using var gateway = await TestGateway.StartAsync(settings: AgentTestSupport.FastAgents);
        using var echo = EchoServer.Start();
        var (certificate, key) = pki.Issue("plc-9", server: false);
        var (strangeCertificate, strangeKey) = stranger.Issue("plc-10", server: false);
        await gateway.PutAgentAsync("plc", TlsAgent(broker, "plc-9", $"SSH=127.0.0.1:{echo.Port}", pki.CaPem, certificate, key));
        await gateway.PutAgentAsync("stranger", TlsAgent(broker, "plc-10", $"SSH=127.0.0.1:{echo.Port}", pki.CaPem, strangeCertificate, strangeKey));
        await gateway.PutAgentAsync("untrusting", TlsAgent(broker, "plc-11", $"SSH=127.0.0.1:{echo.Port}", stranger.CaPem, certificate, key));
        await gateway.WaitForAgentAsync("plc", s => s.State == "connected", "connected over TLS");
        var refused = await gateway.WaitForAgentAsync("stranger", s => s.LastError is not null, "refused by the broker");
        Assert.NotEqual("connected", refused.State);
        var untrusting = await gateway.WaitForAgentAsync("untrusting", s => s.LastError is not null, "refusing the broker's certificate");
        Assert.NotEqual("connected", untrusting.State);

        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var mqtt = await TestMqtt.ConnectAsync(broker, pki);
        await mqtt.PublishAsync("plc-9", TestMqtt.Notification(tunnel.DestinationAccessToken, "SSH"));
        var status = await gateway.WaitForAgentAsync("plc", s => s.SessionId is not null, "started");
        await gateway.Sessions().WaitForAsync(status.SessionId!, s => s.State == SessionState.Connected);
        gateway.Logs.AssertNeverLogged(key.Split('\n')[1]);
    }

    private static async Task ReadHubUntilAsync(System.Threading.Channels.ChannelReader<AgentStatus> states, Func<AgentStatus, bool> condition)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        while (!condition(await states.ReadAsync(cts.Token)))
        {
            // Earlier states of the agent.
        }
    }

    internal static object PlainAgent(Mosquitto broker, string thing, string services) =>
        new { thingName = thing, host = "127.0.0.1", port = broker.Port, tls = false, services, dataEndpoint = "local" };

    private static object TlsAgent(Mosquitto broker, string thing, string services, string caPem, string certificate, string key) =>
        new { thingName = thing, host = "127.0.0.1", port = broker.Port, tls = true, caPem, clientCertificatePem = certificate, clientKeyPem = key, services, dataEndpoint = "local" };

    private static async Task<SessionSnapshot> WaitForConnectedAgentSessionAsync(TestGateway gateway, string agent)
    {
        var runtime = gateway.Services.GetRequiredService<AgentRuntime>();
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (true)
        {
            // The session the agent holds now may still be replaced by the newest notification: follow it.
            string id = runtime.Status(agent).SessionId!;
            var session = await gateway.Sessions().WaitForAsync(id, s => s.State is SessionState.Connected or SessionState.Failed or SessionState.Stopped or SessionState.Closed);
            if (session.State == SessionState.Connected && runtime.Status(agent).SessionId == id)
            {
                return session;
            }

            Assert.True(DateTime.UtcNow < deadline, $"agent {agent}'s session never connected: {session.State} {session.StateReason}");
        }
    }
}
