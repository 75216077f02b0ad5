using Gateway.Api.Hubs;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.SignalR;

namespace Gateway.Api.Tests.Hubs;

/// <summary>Subscribing to one session (a group) gives its detail: snapshot and log now, then connections and log lines live.</summary>
public sealed class SessionsHubDetailTests
{
    [Fact]
    public async Task SubscribeGivesTheSessionAndItsLogThenConnectionsAndLogLinesLive()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var (sourceId, destinationId, port) = await gateway.StartPairAsync(echo.Port);
        await using var hub = await HubClient.ConnectAsync(gateway);

        var detail = await hub.InvokeAsync<SessionDetail>("Subscribe", sourceId);
        Assert.Equal(sourceId, detail.Session.Id);
        Assert.Equal(SessionState.Connected, detail.Session.State);
        Assert.Equal(gateway.Sessions().GetLog(sourceId)!.Select(l => l.Message), detail.Logs.Select(l => l.Message));
        Assert.Contains(detail.Logs, l => l.Message.StartsWith("connected to", StringComparison.Ordinal));

        using (var tcp = await LocalClient.ConnectAsync(port))
        {
            await tcp.EchoRandomAsync();
            // Details are coalesced: the first one with the connection may predate its bytes.
            var live = await HubClient.NextAsync(
                hub.Details.Reader,
                s => s.Id == sourceId && s.Services.SelectMany(service => service.Connections).Any(c => c.BytesFromLocal == 1024),
                "sessionDetail with the connection and its bytes");
            var connection = live.Services.SelectMany(service => service.Connections).Single();
            Assert.NotNull(connection.LocalPeer);
        }

        Assert.Equal(SessionState.Stopped, (await gateway.Sessions().StopAsync(sourceId))!.State);
        var ended = await HubClient.NextAsync(hub.Logs.Reader, l => l.Id == sourceId && l.Line.Message.StartsWith("ended: Stopped", StringComparison.Ordinal), "sessionLog of the end");
        Assert.Equal("Information", ended.Line.Level);
        await HubClient.NextAsync(hub.Details.Reader, s => s.Id == sourceId && s.State == SessionState.Stopped, "sessionDetail of the stopped session");

        // Only the subscribed session's detail and log lines come (the destination changed too).
        Assert.DoesNotContain(HubClient.Drain(hub.Details.Reader), s => s.Id == destinationId);
        Assert.DoesNotContain(HubClient.Drain(hub.Logs.Reader), l => l.Id == destinationId);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task SubscribeToAnUnknownSessionFails()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var hub = await HubClient.ConnectAsync(gateway);
        var ex = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<SessionDetail>("Subscribe", "nosuchsession"));
        Assert.Contains("No session has id nosuchsession", ex.Message, StringComparison.Ordinal);

        // The connection goes on.
        Assert.Empty(await hub.InvokeAsync<SessionSnapshot[]>("GetSessions"));
    }

    [Fact]
    public async Task AfterUnsubscribeNoMoreDetailComes()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var (_, destinationId, port) = await gateway.StartPairAsync(echo.Port);
        await using var leaving = await HubClient.ConnectAsync(gateway);
        await using var staying = await HubClient.ConnectAsync(gateway);
        await leaving.InvokeAsync<SessionDetail>("Subscribe", destinationId);
        await staying.InvokeAsync<SessionDetail>("Subscribe", destinationId);
        await leaving.InvokeAsync<object?>("Unsubscribe", destinationId);
        HubClient.Drain(leaving.Details.Reader);

        // The destination gets a connection: the subscriber that stayed sees it in a detail...
        using var tcp = await LocalClient.ConnectAsync(port);
        await tcp.EchoRandomAsync();
        await HubClient.NextAsync(staying.Details.Reader, s => s.Id == destinationId && s.ActiveConnections == 1, "sessionDetail with the connection");

        // ...which was written to every member of the group before this answer: none for the one that left.
        await leaving.InvokeAsync<SessionSnapshot[]>("GetSessions");
        Assert.DoesNotContain(HubClient.Drain(leaving.Details.Reader), s => s.Id == destinationId);

        // It still gets the changes everyone gets.
        await HubClient.NextAsync(leaving.Changed.Reader, s => s.Id == destinationId && s.ActiveConnections == 1, "sessionChanged with the connection");
        gateway.Logs.AssertNoErrors();
    }
}
