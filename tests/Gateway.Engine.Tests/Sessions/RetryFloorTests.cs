using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Gateway.Engine.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// Issue 14: a zero or tiny retry delay gave a reconnect loop burning cores and filling the log. The delay has a
/// floor, a retrying session's attempts are bounded by it, and a repeated failure is logged only now and then.
/// </summary>
public sealed partial class RetryFloorTests
{
    [Fact]
    public void ZeroRetryDelayIsRefusedAtStartNamingTheSetting()
    {
        using var refusing = SessionTestKit.RefusingPort(out int port);
        var manager = new SessionManager(TimeProvider.System, NullLoggerFactory.Instance);

        var result = manager.Start(Spec(port, ProxySettings.Default with { RetryDelayMs = 0 }));

        Assert.False(result.Started);
        var error = Assert.Single(result.Errors);
        Assert.Equal("settings.retryDelayMs", error.Field);
        Assert.Contains("websocket.retry_delay_ms must be between 100", error.Message, StringComparison.Ordinal);
        Assert.Empty(manager.List());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(99)]
    public void RetryPolicyNeverWaitsLessThanTheFloor(int firstDelayMs)
    {
        var policy = new RetryPolicy(firstDelayMs, retryCount: -1);

        for (int attempt = 1; attempt <= 5; attempt++)
        {
            Assert.True(policy.NextDelay(attempt) >= TimeSpan.FromMilliseconds(ProxySettingsJson.MinRetryDelayMs), $"attempt {attempt}: {policy.NextDelay(attempt)}");
        }
    }

    [Fact]
    public void RepeatedLinesAreWrittenThreeTimesThenOncePerIntervalWithTheCount()
    {
        var time = new FakeTimeProvider();
        var limiter = new RepeatedLineLimiter(time);
        var written = new List<int>();

        for (int i = 0; i < 10; i++)
        {
            if (limiter.ShouldWrite("connect failed: refused", out int suppressed))
            {
                written.Add(suppressed);
            }
        }

        Assert.True(limiter.ShouldWrite("another line", out int other));
        time.Advance(RepeatedLineLimiter.Interval);
        Assert.True(limiter.ShouldWrite("connect failed: refused", out int afterInterval));
        Assert.False(limiter.ShouldWrite("connect failed: refused", out _));

        Assert.Equal([0, 0, 0], written);
        Assert.Equal(0, other);
        Assert.Equal(7, afterInterval);
    }

    [Fact]
    public async Task AttemptsAgainstAClosingPortAreBoundedByTheFloorAndTheRepeatedFailureIsLoggedBriefly()
    {
        var time = new RetryClock();
        await using var manager = new SessionManager(time, NullLoggerFactory.Instance);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var attemptsAt = new ConcurrentQueue<TimeSpan>();
        using var stop = new CancellationTokenSource(TestTimeouts.Default * 2);
        var closer = Task.Run(async () =>
        {
            // Every connect is accepted and closed at once: the session sees "closed before answering" and retries.
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                attemptsAt.Enqueue(time.GetUtcNow() - time.Start);
            }
        });

        var started = manager.Start(Spec(port, ProxySettings.Default with { RetryDelayMs = ProxySettingsJson.MinRetryDelayMs, ConnectRetryCount = -1 }));
        Assert.True(started.Started);
        string id = started.Session!.Id;

        // Fake time moves only when the test moves it, exactly by each back-off the session asks for, so what is
        // counted depends on the delays alone. The eleventh back-off timer means eleven failures were handled.
        const int Failures = 11;
        var delays = new List<TimeSpan>();
        for (int i = 0; i < Failures; i++)
        {
            var delay = await time.NextDelayAsync(TestTimeouts.Default);
            delays.Add(delay);
            if (i < Failures - 1)
            {
                time.Advance(delay);
            }
        }

        await manager.StopAsync(id).WaitAsync(TestTimeouts.Default);
        await stop.CancelAsync();
        listener.Stop();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => closer).WaitAsync(TestTimeouts.Default);

        // Never below the floor, doubling from it up to the 60 s cap: 0.8-1.2 x min(60 s, 100 x 2^(k-1) ms).
        for (int k = 1; k <= delays.Count; k++)
        {
            double nominal = Math.Min(60_000, ProxySettingsJson.MinRetryDelayMs * Math.Pow(2, k - 1));
            Assert.InRange(delays[k - 1].TotalMilliseconds, 0.8 * nominal, 1.2 * nominal);
        }

        Assert.Equal(Failures, attemptsAt.Count);

        // Eleven failures: each distinct line written three times in full, then at most once per 30 s of (fake)
        // time, counting the lines left out, so that every failure is accounted for. A closing port usually
        // gives one and the same error, but may give another (a reset instead of an end of stream): lines are
        // limited per failure text (the key leaves out attempt numbers and delays), so the checks hold for each apart.
        var lines = manager.GetLog(id)!.Where(l => l.Message.StartsWith("connect failed (", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.True(lines.Count < Failures, $"{lines.Count} lines for {Failures} failures: the repeats were not limited");
        Assert.All(lines, l => Assert.Matches(Reason(), l));
        foreach (var text in lines.GroupBy(l => Reason().Match(l).Groups[1].Value))
        {
            Assert.All(text.Take(RepeatedLineLimiter.FirstWritten), l => Assert.DoesNotContain("suppressed", l, StringComparison.Ordinal));
        }

        int suppressed = lines.Select(l => Suppressed().Match(l)).Where(m => m.Success).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(Failures, lines.Count + suppressed);
    }

    [GeneratedRegex(@"\((\d+) similar line\(s\) suppressed\)$")]
    private static partial Regex Suppressed();

    [GeneratedRegex(@"^connect failed \((.*)\); retry \d+ in ")]
    private static partial Regex Reason();

    private static SessionSpec Spec(int port, ProxySettings settings) => new()
    {
        Mode = SessionMode.Destination,
        Endpoint = $"ws://127.0.0.1:{port}",
        AccessToken = SessionTestKit.AccessToken,
        Services = "SSH1=127.0.0.1:22",
        Settings = settings,
    };

    /// <summary>A fake clock that reports each one-shot timer (a back-off's Task.Delay) as it is created.</summary>
    private sealed class RetryClock : FakeTimeProvider
    {
        private readonly ConcurrentQueue<TimeSpan> _delays = new();
        private readonly SemaphoreSlim _created = new(0);

        public RetryClock()
            : base(DateTimeOffset.UnixEpoch)
        {
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (period == Timeout.InfiniteTimeSpan && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                _delays.Enqueue(dueTime);
                _created.Release();
            }

            return timer;
        }

        public async Task<TimeSpan> NextDelayAsync(TimeSpan limit)
        {
            Assert.True(await _created.WaitAsync(limit), $"no back-off timer within {limit}");
            Assert.True(_delays.TryDequeue(out var delay));
            return delay;
        }
    }
}
