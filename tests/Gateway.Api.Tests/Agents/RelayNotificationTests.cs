using System.Text.Json;
using Gateway.Api.Agents;
using Gateway.Api.Tests.Aws;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Agents;

/// <summary>The built-in relay publishing notifications to mosquitto, as AWS IoT does: the whole AWS flow on one machine.</summary>
public sealed class RelayNotificationTests
{
    [Fact]
    public async Task AwsCliOpenTunnelNotifiesTheThing_ItsAgentConnectsTheDestination_TheSourceCarriesBytes_RotationRenotifies()
    {
        await using var broker = await Mosquitto.StartAsync();
        var settings = new Dictionary<string, string?>(AgentTestSupport.FastAgents)
        {
            ["Relay:Notifications:Host"] = "127.0.0.1",
            ["Relay:Notifications:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Relay:Notifications:Tls"] = "false",
        };
        await using var gateway = await TestGateway.StartAsync(settings: settings);
        using var echo = EchoServer.Start();
        await gateway.PutAgentAsync("pump", AgentNotificationTests.PlainAgent(broker, "pump-17", $"SSH=127.0.0.1:{echo.Port}"));
        await gateway.WaitForAgentAsync("pump", s => s.State == "connected", "connected");
        await using var watcher = await TestMqtt.ConnectAsync(broker);
        var published = await watcher.WatchAsync("pump-17");

        var credentials = await AwsTestKeys.CreateAsync(gateway, "operator");
        using var aws = new AwsCli(gateway, credentials);
        var (code, opened, error) = await aws.RunAsync("open-tunnel", "--destination-config", "thingName=pump-17,services=SSH");
        Assert.True(code == 0, error);
        string tunnelId = opened!.Value.GetProperty("tunnelId").GetString()!;
        string destinationToken = opened.Value.GetProperty("destinationAccessToken").GetString()!;
        string sourceToken = opened.Value.GetProperty("sourceAccessToken").GetString()!;

        // Exactly AWS's payload, members in its order.
        string payload = await published.ReadAsync().AsTask().WaitAsync(TestGateway.Timeout);
        Assert.Equal($"{{\"clientAccessToken\":\"{destinationToken}\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"SSH\"]}}", payload);

        var status = await gateway.WaitForAgentAsync("pump", s => s.SessionId is not null, "started by the relay's notification");
        var first = await gateway.Sessions().WaitForAsync(status.SessionId!, s => s.State == SessionState.Connected);
        int port = SessionHarness.FreePort();
        await using (var source = ReferenceProxy.Start(gateway, sourceToken, "-s", $"SSH={port}"))
        {
            using var client = await source.ConnectToSourceAsync(port);
            await AgentTestSupport.AssertEchoAsync(client, 50_000);
        }

        // A SOURCE rotation tells the thing nothing; a DESTINATION rotation with destinationConfig re-notifies,
        // and the agent replaces its session with one on the new token.
        using var signed = new AwsSignedClient(gateway, credentials);
        var (rotatedSource, _, _) = await signed.CallAsync("RotateTunnelAccessToken", JsonSerializer.Serialize(new { tunnelId, clientMode = "SOURCE" }));
        Assert.Equal(200, rotatedSource);
        var (rotated, body, _) = await signed.CallAsync("RotateTunnelAccessToken",
            JsonSerializer.Serialize(new { tunnelId, clientMode = "DESTINATION", destinationConfig = new { thingName = "pump-17", services = new[] { "SSH" } } }));
        Assert.Equal(200, rotated);
        string newToken = body.GetProperty("destinationAccessToken").GetString()!;
        string second = await published.ReadAsync().AsTask().WaitAsync(TestGateway.Timeout);
        Assert.Contains($"\"clientAccessToken\":\"{newToken}\"", second, StringComparison.Ordinal);
        var replaced = await gateway.WaitForAgentAsync("pump", s => s.SessionId is { } id && id != first.Id, "replacing its session");
        await gateway.Sessions().WaitForAsync(replaced.SessionId!, s => s.State == SessionState.Connected);
        Assert.NotNull(gateway.Sessions().Get(first.Id)!.EndedAt);
        Assert.Equal(2, gateway.Services.GetRequiredService<AgentRuntime>().Status("pump").SessionsStarted);

        // A DESTINATION rotation without destinationConfig tells nobody; an ALL rotation with it publishes
        // AWS's payload again. The publisher keeps order, so the next payload read is the ALL one's.
        var (silent, _, _) = await signed.CallAsync("RotateTunnelAccessToken", JsonSerializer.Serialize(new { tunnelId, clientMode = "DESTINATION" }));
        Assert.Equal(200, silent);
        var (rotatedAll, allBody, _) = await signed.CallAsync("RotateTunnelAccessToken",
            JsonSerializer.Serialize(new { tunnelId, clientMode = "ALL", destinationConfig = new { thingName = "pump-17", services = new[] { "SSH" } } }));
        Assert.Equal(200, rotatedAll);
        string allToken = allBody.GetProperty("destinationAccessToken").GetString()!;
        string third = await published.ReadAsync().AsTask().WaitAsync(TestGateway.Timeout);
        Assert.Equal($"{{\"clientAccessToken\":\"{allToken}\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"SSH\"]}}", third);
        var renewed = await gateway.WaitForAgentAsync("pump", s => s.SessionsStarted == 3, "replacing its session after the ALL rotation");
        await gateway.Sessions().WaitForAsync(renewed.SessionId!, s => s.State == SessionState.Connected);
        int lastPort = SessionHarness.FreePort();
        await using var lastSource = ReferenceProxy.Start(gateway, allBody.GetProperty("sourceAccessToken").GetString()!, "-s", $"SSH={lastPort}");
        using var lastClient = await lastSource.ConnectToSourceAsync(lastPort);
        await AgentTestSupport.AssertEchoAsync(lastClient, 10_000);
    }

    [Fact]
    public async Task AnUnreadableBrokerFileStopsTheStartNamingTheSetting()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Relay:Notifications:Host"] = "127.0.0.1",
            ["Relay:Notifications:CaFile"] = "/nonexistent/ca.pem",
        };
        var problem = await Assert.ThrowsAsync<Gateway.Api.Hosting.GatewayStartupException>(() => TestGateway.StartAsync(settings: settings));
        Assert.Contains("Relay:Notifications:CaFile '/nonexistent/ca.pem' cannot be read", problem.Message, StringComparison.Ordinal);
    }
}
