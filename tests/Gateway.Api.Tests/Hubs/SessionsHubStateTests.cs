using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Hubs;

/// <summary>The hub's view of the sessions: complete on connect (GetSessions), then every change at once, in the engine's order.</summary>
public sealed class SessionsHubStateTests
{
    [Fact]
    public async Task GetSessionsAnswersTheRunningSessionsAsTheRestApi()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var (sourceId, destinationId, _) = await gateway.StartPairAsync(echo.Port);
        await using var hub = await HubClient.ConnectAsync(gateway);

        var sessions = await hub.InvokeAsync<SessionSnapshot[]>("GetSessions");
        Assert.Equal([destinationId, sourceId], sessions.Select(s => s.Id));
        Assert.All(sessions, s => Assert.Equal(SessionState.Connected, s.State));

        // Same JSON as GET /api/tunnels: the same properties, enums as strings.
        var raw = await hub.InvokeAsync<JsonElement>("GetSessions");
        using var http = gateway.CreateClient();
        var rest = await http.GetFromJsonAsync<JsonElement>("/api/tunnels");
        Assert.Equal(
            rest.EnumerateArray().Select(Shape).ToList(),
            raw.EnumerateArray().Select(Shape).ToList());
        Assert.Equal("Source", raw[1].GetProperty("mode").GetString());
        Assert.Equal("Connected", raw[1].GetProperty("state").GetString());
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task StateChangesArriveAtOnceInTheEnginesOrder()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        await using var hub = await HubClient.ConnectAsync(gateway);
        var sessions = gateway.Sessions();
        var engine = new ConcurrentQueue<SessionSnapshot>();
        void OnChanged(SessionEvent e)
        {
            if (e.Kind == SessionEventKind.Changed)
            {
                engine.Enqueue(e.Session);
            }
        }

        string sourceId;
        string destinationId;
        sessions.Changed += OnChanged;
        try
        {
            (sourceId, destinationId, int port) = await gateway.StartPairAsync(echo.Port);
            using (var tcp = await LocalClient.ConnectAsync(port))
            {
                await tcp.EchoRandomAsync();
            }

            Assert.Equal(SessionState.Stopped, (await sessions.StopAsync(sourceId))!.State);
            Assert.Equal(SessionState.Stopped, (await sessions.StopAsync(destinationId))!.State);
        }
        finally
        {
            sessions.Changed -= OnChanged;
        }

        // One ordered queue: once the destination's Stopped is here, every earlier change of the source is too.
        var received = new List<SessionSnapshot>();
        await HubClient.NextAsync(hub.Changed.Reader, s =>
        {
            received.Add(s);
            return s.Id == destinationId && s.State == SessionState.Stopped;
        }, "sessionChanged with the destination stopped");

        var fromHub = received.Where(s => s.Id == sourceId).ToList();
        var fromEngine = engine.Where(s => s.Id == sourceId).ToList();
        Assert.Equal(fromEngine.Count, fromHub.Count);
        Assert.Equal(Transitions(fromEngine), Transitions(fromHub));
        var states = Transitions(fromHub);
        Assert.Equal(SessionState.Connecting, states[0]);
        Assert.Contains(SessionState.Connected, states);
        Assert.Equal(SessionState.Stopped, states[^1]);
        Assert.Single(states, SessionState.Stopped);

        // Connections are changes too: the source's connection came and went.
        Assert.Contains(fromHub, s => s.ActiveConnections == 1 && s.Services.Sum(service => service.Connections.Count) == 1);
        Assert.Equal(0, fromHub[^1].ActiveConnections);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ANewConnectionGetsTheCompleteStateItMissed()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var sessions = gateway.Sessions();
        string sourceId;
        string destinationId;
        await using (var first = await HubClient.ConnectAsync(gateway))
        {
            (sourceId, destinationId, _) = await gateway.StartPairAsync(echo.Port);
            await HubClient.NextAsync(first.Changed.Reader, s => s.Id == sourceId && SessionHarness.IsReady(s), "sessionChanged with the source connected");
        }

        // While no client is connected: the source stops and a finished session is removed.
        await sessions.StopAsync(sourceId);
        Assert.True(sessions.Remove(sourceId));
        await sessions.StopAsync(destinationId);

        await using var second = await HubClient.ConnectAsync(gateway);
        var state = await second.InvokeAsync<SessionSnapshot[]>("GetSessions");
        Assert.Equal(sessions.List().Select(s => (s.Id, s.State)), state.Select(s => (s.Id, s.State)));
        Assert.Equal(destinationId, Assert.Single(state).Id);
        Assert.Equal(SessionState.Stopped, state[0].State);

        // And it follows from there: a removal reaches it.
        Assert.True(sessions.Remove(destinationId));
        Assert.Equal(destinationId, await HubClient.NextAsync(second.Removed.Reader, id => true, "sessionRemoved"));
        gateway.Logs.AssertNoErrors();
    }

    private static string Shape(JsonElement session) =>
        string.Join(",", session.EnumerateObject().Select(p => p.Name));

    /// <summary>The states in order, repeats folded (several changes may share a state).</summary>
    private static List<SessionState> Transitions(IEnumerable<SessionSnapshot> snapshots)
    {
        var states = new List<SessionState>();
        foreach (var snapshot in snapshots)
        {
            if (states.Count == 0 || states[^1] != snapshot.State)
            {
                states.Add(snapshot.State);
            }
        }

        return states;
    }
}
