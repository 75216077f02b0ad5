using System.Reflection;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>Each kind of session log line has its own event id (<see cref="SessionLogEvents"/>), and that id reaches the logger (issue 21).</summary>
public sealed class SessionLogEventIdTests
{
    [Fact]
    public void EveryKindOfLineHasItsOwnIdInTheSessionRange()
    {
        var events = typeof(SessionLogEvents).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(EventId))
            .Select(f => (Field: f.Name, Id: (EventId)f.GetValue(null)!))
            .ToList();
        Assert.True(events.Count > 40, $"only {events.Count} session event ids found");

        Assert.All(events, e => Assert.InRange(e.Id.Id, 2200, 2299));
        Assert.All(events, e => Assert.Equal(e.Field, e.Id.Name));
        var shared = events.GroupBy(e => e.Id.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Field))}").ToList();
        Assert.True(shared.Count == 0, "session event ids used twice:\n" + string.Join("\n", shared));
    }

    [Fact]
    public async Task RepresentativeLinesReachTheLoggerWithTheirOwnIds()
    {
        var loggers = new CapturingLoggerFactory();
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync(loggers: loggers);
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), FrameWriter.ToArray(TunnelMessages.ServiceIds(["SSH1"])));
        await service.SendCloseAsync(1000, "bye");
        await kit.WaitForAsync(s => s.State == SessionState.Closed, "Closed by the service");

        var entries = loggers.Entries;
        AssertLine(entries, kit.Id, SessionLogEvents.Starting, LogLevel.Information, "starting: ");
        AssertLine(entries, kit.Id, SessionLogEvents.Established, LogLevel.Information, "Successfully established websocket connection with proxy server: ");
        AssertLine(entries, kit.Id, SessionLogEvents.Connected, LogLevel.Information, "connected to ");
        AssertLine(entries, kit.Id, SessionLogEvents.ServiceIds, LogLevel.Information, "service ids from the tunnel: SSH1; listening: ");
        AssertLine(entries, kit.Id, SessionLogEvents.Listening, LogLevel.Information, $"Listening for new connection on port {port}");
        AssertLine(entries, kit.Id, SessionLogEvents.ClosedByService, LogLevel.Information, "the service closed the tunnel: code 1000 \"bye\"");
        Assert.DoesNotContain(entries, e => e.EventId.Id == 2000);
    }

    // The line has its id and level, reads "session {id}: {message}", and its state carries the two values (what the CLI prints).
    private static void AssertLine(IReadOnlyList<CapturingLoggerFactory.Entry> entries, string sessionId, EventId id, LogLevel level, string start)
    {
        var line = Assert.Single(entries, e => e.Values.TryGetValue("Message", out var m) && m is string text && text.StartsWith(start, StringComparison.Ordinal));
        Assert.Equal(id.Id, line.EventId.Id);
        Assert.Equal(id.Name, line.EventId.Name);
        Assert.Equal(level, line.Level);
        Assert.Equal(sessionId, line.Values["SessionId"]);
        Assert.Equal($"session {sessionId}: {line.Values["Message"]}", line.Text);
        Assert.Equal("session {SessionId}: {Message}", line.Values["{OriginalFormat}"]);
    }
}
