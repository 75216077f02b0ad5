namespace Gateway.Engine.Scheduling;

/// <summary>
/// A bandwidth cap in bytes per second: a token bucket on the clock of the given
/// <see cref="TimeProvider"/> (a fake one in tests). Taking bytes waits while the bucket is short:
/// throttling delays, it never drops. The bucket holds at least one maximal item and a tenth of a
/// second of the rate, so the cap is exact over seconds and a burst is short. The time spent
/// waiting is counted.
/// </summary>
/// <remarks>
/// Not System.Threading.RateLimiting's TokenBucketRateLimiter: since .NET 8 it refills by the
/// real Stopwatch even when replenished by hand, so no fake clock can drive it, and a unit test
/// could only check it against wall time.
/// </remarks>
internal sealed class Throttle : IDisposable
{
    /// <summary>The longest single wait; a wait longer than that re-checks the bucket.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private double _tokens;
    private long _last;
    private long _throttledTicks;
    private long _waits;
    private int _waiting;

    public Throttle(long bytesPerSecond, int maxItemBytes, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecond, 1);
        BytesPerSecond = bytesPerSecond;
        _time = time;
        _capacity = Math.Max(Math.Max(maxItemBytes, 1), bytesPerSecond / 10.0);
        _tokens = _capacity;
        _last = time.GetTimestamp();
    }

    public long BytesPerSecond { get; }

    /// <summary>Total time callers waited for the bucket.</summary>
    public TimeSpan Throttled => TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));

    /// <summary>How many takes had to wait.</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>Takes waiting for the bucket now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes <paramref name="bytes"/> (at most a bucketful counts), waiting while the bucket is short.</summary>
    public ValueTask TakeAsync(int bytes, CancellationToken cancellationToken)
    {
        double need = Math.Clamp(bytes, 1, _capacity);
        return TryTake(need, out _) ? default : WaitAsync(need, cancellationToken);
    }

    /// <summary>Takes <paramref name="bytes"/> if the bucket has them now; never waits.</summary>
    public bool TryTake(int bytes) => TryTake(Math.Clamp(bytes, 1, _capacity), out _);

    private bool TryTake(double need, out TimeSpan wait)
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * BytesPerSecond));
            _last = now;
            if (_tokens >= need)
            {
                _tokens -= need;
                wait = TimeSpan.Zero;
                return true;
            }

            wait = TimeSpan.FromSeconds((need - _tokens) / BytesPerSecond);
            return false;
        }
    }

    private async ValueTask WaitAsync(double need, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        Interlocked.Increment(ref _waits);
        Interlocked.Increment(ref _waiting);
        try
        {
            while (!TryTake(need, out var wait))
            {
                await Task.Delay(wait < Period ? wait : Period, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
            Interlocked.Add(ref _throttledTicks, _time.GetElapsedTime(start).Ticks);
        }
    }

    public void Dispose()
    {
    }
}
