using Gateway.Engine.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Engine.Tests.Scheduling;

public sealed class ThrottleTests
{
    [Fact]
    public async Task ABucketfulPassesAtOnceThenTakesWaitForTheRefillAndCountTheWait()
    {
        var time = new FakeTimeProvider();
        using var throttle = new Throttle(bytesPerSecond: 100_000, maxItemBytes: 1000, time);

        // The bucket starts full: a tenth of a second of the rate.
        for (int i = 0; i < 10; i++)
        {
            Assert.True(throttle.TakeAsync(1000, CancellationToken.None).IsCompletedSuccessfully);
        }

        var waiting = throttle.TakeAsync(1000, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        // 1000 bytes at 100 kB/s: 10 ms.
        time.Advance(TimeSpan.FromMilliseconds(10));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, throttle.Waits);
        Assert.Equal(TimeSpan.FromMilliseconds(10), throttle.Throttled);
    }

    [Fact]
    public void OverTimeTheRateIsTheCapAndNothingIsDropped()
    {
        var time = new FakeTimeProvider();
        using var throttle = new Throttle(bytesPerSecond: 1_000_000, maxItemBytes: 64 * 1024, time);
        var start = time.GetUtcNow();
        long moved = 0;
        while (moved < 5_000_000)
        {
            if (throttle.TryTake(50_000))
            {
                moved += 50_000;
            }
            else
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        // The first bucketful (0.1 s of the rate) is free; the rest goes at the rate.
        var elapsed = time.GetUtcNow() - start;
        Assert.InRange(elapsed.TotalSeconds, 4.85, 4.95);
    }

    [Fact]
    public async Task AWaitingTakeEndsWhenCancelled()
    {
        var time = new FakeTimeProvider();
        using var throttle = new Throttle(bytesPerSecond: 1000, maxItemBytes: 1000, time);
        Assert.True(throttle.TakeAsync(1000, CancellationToken.None).IsCompletedSuccessfully);
        using var cancel = new CancellationTokenSource();
        var waiting = throttle.TakeAsync(1000, cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}

public sealed class CappedPayloadTests
{
    [Theory]
    [InlineData(64512, null, null, 64512)]
    [InlineData(64512, 800_000L, null, 16000)]
    [InlineData(64512, null, 10_000_000L, 64512)]
    [InlineData(64512, 10_000_000L, 100_000L, 4096)]
    [InlineData(1000, 100_000L, null, 1000)]
    public void ACappedFrameCarriesAboutTwentyMillisecondsOfTheCap(int maxPayload, long? sessionCap, long? connectionCap, int expected) =>
        Assert.Equal(expected, Gateway.Engine.Proxy.LocalConnection.PayloadSize(maxPayload, sessionCap, connectionCap));
}
