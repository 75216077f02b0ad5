namespace Gateway.Bench.Infrastructure;

/// <summary>Samples the resident set size of processes every 20 ms and keeps the peak (bounded by its owner's lifetime).</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly int[] _pids;
    private readonly long[] _peaks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

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

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            do
            {
                for (int i = 0; i < _pids.Length; i++)
                {
                    long rss = ProcessStats.RssBytes(_pids[i]);
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
