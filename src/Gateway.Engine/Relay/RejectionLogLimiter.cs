namespace Gateway.Engine.Relay;

/// <summary>
/// Keeps a flood of refused handshakes from flooding the log: per remote address, the first
/// <c>limit</c> refusals of a window are logged, the rest only counted, and when the window is
/// over one summary gives the count left out. Memory is bounded: at most <c>maxAddresses</c>
/// addresses are tracked one by one; refusals from any further address share one entry. A timer
/// (on the given <see cref="TimeProvider"/>) runs only while something is tracked, so a summary
/// comes even when the flood stops.
/// </summary>
internal sealed class RejectionLogLimiter
{
    /// <summary>The shared entry of the addresses beyond the cap.</summary>
    public const string OtherAddresses = "(other addresses)";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly int _maxAddresses;
    private readonly Action<string, int> _summary;
    private ITimer? _timer;

    /// <summary>A limiter that starts with nothing tracked.</summary>
    /// <param name="time">The clock of the windows and of the summary timer.</param>
    /// <param name="limit">Refusals logged per address and window, 0 or more (0 logs none, only summaries).</param>
    /// <param name="window">The length of a window; must be positive.</param>
    /// <param name="maxAddresses">Addresses tracked one by one, at least 1.</param>
    /// <param name="summary">Called (outside the lock) with an address and how many of its refusals were not logged.</param>
    public RejectionLogLimiter(TimeProvider time, int limit, TimeSpan window, int maxAddresses, Action<string, int> summary)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAddresses);
        _time = time;
        _limit = limit;
        _window = window;
        _maxAddresses = maxAddresses;
        _summary = summary;
    }

    /// <summary>How many entries are held (for tests of the memory bound).</summary>
    public int TrackedCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Counts one refusal from <paramref name="address"/>; true when it is to be logged. The key
    /// it was counted under (the address, or <see cref="OtherAddresses"/>) is returned.
    /// </summary>
    public bool ShouldLog(string address, out string key)
    {
        var now = _time.GetUtcNow();
        (string Key, int Count)? ended = null;
        bool log;
        lock (_gate)
        {
            key = _entries.ContainsKey(address) || _entries.Count < _maxAddresses ? address : OtherAddresses;
            if (_entries.TryGetValue(key, out var entry) && now - entry.Start >= _window)
            {
                // Its window is over, and the timer has not come by yet: summarise it now.
                ended = entry.Suppressed > 0 ? (key, entry.Suppressed) : null;
                _entries.Remove(key);
                entry = null;
            }

            if (entry is null)
            {
                // The shared entry may exceed the cap by one.
                entry = new Entry(now);
                _entries[key] = entry;
                _timer ??= _time.CreateTimer(static state => ((RejectionLogLimiter)state!).Sweep(), this, _window, Timeout.InfiniteTimeSpan);
            }

            log = entry.Logged < _limit;
            if (log)
            {
                entry.Logged++;
            }
            else
            {
                entry.Suppressed++;
            }
        }

        if (ended is { } summary)
        {
            _summary(summary.Key, summary.Count);
        }

        return log;
    }

    // Summarises and forgets every entry whose window is over; re-arms while entries are left.
    private void Sweep()
    {
        var now = _time.GetUtcNow();
        var summaries = new List<(string Key, int Count)>();
        lock (_gate)
        {
            TimeSpan? next = null;
            foreach (var (key, entry) in _entries)
            {
                var left = _window - (now - entry.Start);
                if (left <= TimeSpan.Zero)
                {
                    if (entry.Suppressed > 0)
                    {
                        summaries.Add((key, entry.Suppressed));
                    }

                    _entries.Remove(key);
                }
                else if (next is null || left < next)
                {
                    next = left;
                }
            }

            if (next is { } due)
            {
                _timer!.Change(due, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer?.Dispose();
                _timer = null;
            }
        }

        foreach (var (key, count) in summaries)
        {
            _summary(key, count);
        }
    }

    private sealed class Entry(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public int Logged { get; set; }

        public int Suppressed { get; set; }
    }
}
