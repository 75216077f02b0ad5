namespace Gateway.Engine.Sessions;

/// <summary>
/// Keeps a retry loop from filling the log: a line (by key) is written the first <see cref="FirstWritten"/>
/// times, then at most once per <see cref="Interval"/>, that line saying how many repeats were left out.
/// Keys are counted apart, so a loop of "connected" and "connection lost" is limited as well as a run of
/// failed connects. Thread-safe.
/// </summary>
public sealed class RepeatedLineLimiter(TimeProvider time)
{
    /// <summary>How many times a line with one key is written before it is limited to one per <see cref="Interval"/>.</summary>
    public const int FirstWritten = 3;

    /// <summary>Distinct keys remembered; beyond this they are all forgotten (a session has a handful).</summary>
    private const int MaxKeys = 32;

    private readonly Dictionary<string, Count> _counts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The least time between two writes of a limited line: 30 seconds.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True if the line with <paramref name="key"/> should be written now; <paramref name="suppressed"/> is how
    /// many of its repeats were left out since it was last written.
    /// </summary>
    public bool ShouldWrite(string key, out int suppressed)
    {
        var now = time.GetUtcNow();
        suppressed = 0;
        lock (_gate)
        {
            if (!_counts.TryGetValue(key, out var count))
            {
                if (_counts.Count >= MaxKeys)
                {
                    _counts.Clear();
                }

                _counts[key] = new Count { Seen = 1, LastWritten = now };
                return true;
            }

            count.Seen++;
            if (count.Seen <= FirstWritten || now - count.LastWritten >= Interval)
            {
                suppressed = count.Suppressed;
                count.Suppressed = 0;
                count.LastWritten = now;
                return true;
            }

            count.Suppressed++;
            return false;
        }
    }

    private sealed class Count
    {
        public int Seen { get; set; }

        public int Suppressed { get; set; }

        public DateTimeOffset LastWritten { get; set; }
    }
}
