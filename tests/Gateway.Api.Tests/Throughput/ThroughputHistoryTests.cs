using Gateway.Api.Throughput;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Api.Tests.Throughput;

/// <summary>The server's throughput history, driven by a <see cref="FakeTimeProvider"/>: 5 s samples for an hour, minute averages for 7 days, bounded.</summary>
public sealed class ThroughputHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<SessionSnapshot> _sessions = [];

    [Fact]
    public async Task EachFiveSecondsTheBytesMovedBecomeARateAndEachMinuteAnAverage()
    {
        using var history = await StartAsync();
        Set("a", to: 0, from: 0);

        // 5000 bytes in, 500 out during the first 5 s: 1000 and 100 B/s.
        Set("a", to: 5000, from: 500);
        _time.Advance(TimeSpan.FromSeconds(5));
        var points = history.Get("a", TimeSpan.FromHours(1))!;
        Assert.Equal(5, points.ResolutionSeconds);
        Assert.Equal([Start.AddSeconds(5).ToUnixTimeSeconds()], points.T);
        Assert.Equal([1000f], points.ToTunnel);
        Assert.Equal([100f], points.FromTunnel);

        // Nothing more this minute: its average is 5000 bytes / 60 s; the next minute has begun (at 0 B/s).
        for (int i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        var fine = history.Get("a", TimeSpan.FromHours(1))!;
        Assert.Equal(13, fine.T.Count);
        Assert.All(fine.ToTunnel.Skip(1), rate => Assert.Equal(0f, rate));
        var coarse = history.Get("a", TimeSpan.FromHours(24))!;
        Assert.Equal(60, coarse.ResolutionSeconds);
        Assert.Equal([Start.ToUnixTimeSeconds(), Start.AddMinutes(1).ToUnixTimeSeconds()], coarse.T);
        Assert.Equal(0f, coarse.ToTunnel[1]);
        Assert.Equal(5000f / 60, coarse.ToTunnel[0], 3);
        Assert.Equal(500f / 60, coarse.FromTunnel[0], 3);

        // A shorter range gives the latest samples only.
        Assert.Equal(3, history.Get("a", TimeSpan.FromSeconds(10))!.T.Count);
    }

    [Fact]
    public async Task TheRingsKeepAnHourOfSamplesAndSevenDaysOfMinutesAndNoMore()
    {
        using var history = await StartAsync();
        Set("a", to: 0, from: 0);
        long bytes = 0;
        for (int i = 0; i < 2 * 720; i++)
        {
            bytes += 5 * 1000;
            Set("a", to: bytes, from: 0);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        var hour = history.Get("a", TimeSpan.FromHours(1))!;
        Assert.Equal(ThroughputHistory.FineSlots, hour.T.Count);
        Assert.All(hour.ToTunnel, rate => Assert.Equal(1000f, rate));

        // Eight days later the minutes are capped at 7 days (the fake clock fires the timer once an
        // Advance: a minute each, the 5 s slots between filled from that sample).
        for (int minute = 0; minute < 8 * 24 * 60; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var week = history.Get("a", TimeSpan.FromDays(7))!;
        Assert.InRange(week.T.Count, ThroughputHistory.CoarseSlots - 1, ThroughputHistory.CoarseSlots);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds() / 60 * 60 - 60, week.T[^1]);
        Assert.Equal(ThroughputHistory.FineSlots, history.Get("a", TimeSpan.FromHours(1))!.T.Count);
        long bound = (ThroughputHistory.FineSlots + ThroughputHistory.CoarseSlots) * 2L * sizeof(float);
        Assert.True(history.AllocatedBytes() <= bound, $"{history.AllocatedBytes()} bytes > {bound}");
    }

    [Fact]
    public async Task ASecondSampleInTheSameSlotWidensItsRate()
    {
        using var history = await StartAsync();
        Set("a", to: 0, from: 0);
        _time.Advance(TimeSpan.FromSeconds(5));

        // The 5 s sample said 0 B/s; 4000 bytes follow and an extra call samples at 7 s, in the same
        // slot [5 s, 10 s): the slot now covers 0..7 s (4000 / 7), not just the 2 s since the last sample.
        Assert.Equal([0f], history.Get("a", TimeSpan.FromHours(1))!.ToTunnel);
        _time.Advance(TimeSpan.FromSeconds(2));
        Set("a", to: 4000, from: 0);
        history.Sample();
        Assert.Equal(4000f / 7, Assert.Single(history.Get("a", TimeSpan.FromHours(1))!.ToTunnel), 3);

        // The timer's next sample (10 s) starts a slot from there: nothing new.
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0f, history.Get("a", TimeSpan.FromHours(1))!.ToTunnel[^1]);
    }

    [Fact]
    public async Task AnEndedSessionStopsGrowingAndARemovedOneLosesItsHistory()
    {
        using var history = await StartAsync();
        Set("a", to: 0, from: 0);
        Set("b", to: 0, from: 0);
        _time.Advance(TimeSpan.FromSeconds(5));

        Set("a", to: 100, from: 0, state: SessionState.Stopped);
        _time.Advance(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(30));
        var ended = history.Get("a", TimeSpan.FromHours(1))!;
        Assert.Equal(2, ended.T.Count);
        Assert.Equal(20f, ended.ToTunnel[^1]);
        Assert.Equal(8, history.Get("b", TimeSpan.FromHours(1))!.T.Count);

        _sessions.RemoveAll(s => s.Id == "a");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(history.Get("a", TimeSpan.FromHours(1)));
        Assert.Equal(1, history.TrackedSessions);
    }

    [Fact]
    public async Task AtMostMaxSessionsAreTracked()
    {
        using var history = await StartAsync();
        for (int i = 0; i < ThroughputHistory.MaxSessions + 5; i++)
        {
            Set($"s{i}", to: 0, from: 0);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ThroughputHistory.MaxSessions, history.TrackedSessions);
    }

    private async Task<ThroughputHistory> StartAsync()
    {
        var history = new ThroughputHistory(() => [.. _sessions], _time);
        await history.StartAsync(CancellationToken.None);
        return history;
    }

    private void Set(string id, long to, long from, SessionState state = SessionState.Connected)
    {
        int index = _sessions.FindIndex(s => s.Id == id);
        var snapshot = new SessionSnapshot
        {
            Id = id,
            Endpoint = "wss://127.0.0.1:1/tunnel",
            State = state,
            CreatedAt = index >= 0 ? _sessions[index].CreatedAt : _time.GetUtcNow(),
            BytesToTunnel = to,
            BytesFromTunnel = from,
        };
        if (index >= 0)
        {
            _sessions[index] = snapshot;
        }
        else
        {
            _sessions.Add(snapshot);
        }
    }
}
