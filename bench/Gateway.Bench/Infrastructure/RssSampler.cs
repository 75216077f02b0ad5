namespace Gateway.Bench.Infrastructure;

/// <summary>
/// Samples the resident set size of processes every 20 ms and keeps the peak (bounded by its
/// owner's lifetime). Sampling allocates nothing, so it adds no garbage to what it measures.
/// </summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private const int MaxSamples = 1 << 16;

    private readonly int[] _pids;
    private readonly long[] _peaks;
    private readonly long[] _firstSeries = new long[MaxSamples];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _count;

    public RssSampler(params int[] pids)
    {
        _pids = pids;
        _peaks = new long[pids.Length];
        Baselines = [.. pids.Select(ProcessStats.RssBytes)];
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>RSS of each process when sampling started.</summary>
    public long[] Baselines { get; }

    public long Peak(int index) => Interlocked.Read(ref _peaks[index]);

    /// <summary>
    /// For the first process, after disposal: the peak over the last 90% of the samples minus the
    /// sample at 10%, i.e. how much memory still grew once the transfer was under way (what "flat"
    /// means), apart from the warm-up of its first seconds.
    /// </summary>
    public long GrowthAfterWarmUp()
    {
        int count = Math.Min(_count, MaxSamples);
        if (count < 10)
        {
            return Peak(0) - Baselines[0];
        }

        int warm = count / 10;
        long peak = 0;
        for (int i = warm; i < count; i++)
        {
            peak = Math.Max(peak, _firstSeries[i]);
        }

        return peak - _firstSeries[warm];
    }

    private async Task LoopAsync()
    {
        var scratch = new byte[256];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            do
            {
                for (int i = 0; i < _pids.Length; i++)
                {
                    long rss = ProcessStats.RssBytesNoAlloc(_pids[i], scratch);
                    if (i == 0 && _count < MaxSamples)
                    {
                        _firstSeries[_count++] = rss;
                    }

                    if (rss > Interlocked.Read(ref _peaks[i]))
                    {
                        Interlocked.Exchange(ref _peaks[i], rss);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
