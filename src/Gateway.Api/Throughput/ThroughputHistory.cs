using System.Collections.Concurrent;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Throughput;

/// <summary>
/// Per-session throughput history kept by the gateway, so any new page (or script) sees the past:
/// every <see cref="FineSeconds"/> s the bytes each session moved each way become a rate, kept for an
/// hour (<see cref="FineSlots"/> slots); each minute's average is kept for 7 days
/// (<see cref="CoarseSlots"/> slots). In memory only, ring buffers that grow with a session's age,
/// for at most <see cref="MaxSessions"/> sessions at once: at most about 85 KiB a session, 85 MiB in
/// all. A session's history goes when the session leaves the list. The clock is the
/// <see cref="TimeProvider"/>, so tests drive it.
/// </summary>
internal sealed class ThroughputHistory : IHostedService, IDisposable
{
    public const int FineSeconds = 5;
    public const int CoarseSeconds = 60;
    public const int FineSlots = 3600 / FineSeconds;
    public const int CoarseSlots = 7 * 24 * 3600 / CoarseSeconds;
    public const int MaxSessions = 1000;

    private readonly Func<IReadOnlyList<SessionSnapshot>> _list;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly Lock _sampling = new();
    private ITimer? _timer;
    private DateTimeOffset _lastTick;

    public ThroughputHistory(SessionManager sessions, TimeProvider time)
        : this(sessions.List, time)
    {
    }

    /// <summary>For tests: <paramref name="list"/> stands for the session manager's list.</summary>
    internal ThroughputHistory(Func<IReadOnlyList<SessionSnapshot>> list, TimeProvider time)
    {
        _list = list;
        _time = time;
        _lastTick = time.GetUtcNow();
    }

    public int TrackedSessions => _series.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lastTick = _time.GetUtcNow();
        var period = TimeSpan.FromSeconds(FineSeconds);
        _timer = _time.CreateTimer(_ => Sample(), null, period, period);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>One sample of every session (the timer's work; public for tests).</summary>
    public void Sample()
    {
        lock (_sampling)
        {
            var now = _time.GetUtcNow();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in _list())
            {
                seen.Add(s.Id);
                if (!_series.TryGetValue(s.Id, out var series))
                {
                    if (_series.Count >= MaxSessions)
                    {
                        continue;
                    }

                    // A session started since the last sample moved all its bytes since it started;
                    // one that was there before this history (a restart of the sampler) starts from now.
                    bool isNew = s.CreatedAt >= _lastTick;
                    series = new Series(isNew ? s.CreatedAt : now, isNew ? 0 : s.BytesToTunnel, isNew ? 0 : s.BytesFromTunnel);
                    _series[s.Id] = series;
                    if (!isNew)
                    {
                        continue;
                    }
                }

                series.Add(now, s.BytesToTunnel, s.BytesFromTunnel, s.State.IsFinal());
            }

            foreach (var id in _series.Keys)
            {
                if (!seen.Contains(id))
                {
                    _series.TryRemove(id, out _);
                }
            }

            _lastTick = now;
        }
    }

    /// <summary>The samples of one session from <paramref name="since"/> on, or null when it has no history here.</summary>
    public ThroughputPoints? Get(string sessionId, TimeSpan since)
    {
        if (!_series.TryGetValue(sessionId, out var series))
        {
            return null;
        }

        bool fine = since <= TimeSpan.FromSeconds(FineSeconds * FineSlots);
        int resolution = fine ? FineSeconds : CoarseSeconds;
        long fromSlot = (_time.GetUtcNow() - since).ToUnixTimeSeconds() / resolution;
        var slots = new List<long>();
        var to = new List<float>();
        var from = new List<float>();
        lock (series.Gate)
        {
            (fine ? series.Fine : series.Coarse).CopySince(fromSlot, slots, to, from);
        }

        return new ThroughputPoints(resolution, slots.Select(s => s * resolution).ToList(), to, from);
    }

    /// <summary>Bytes the rings of every tracked session hold now.</summary>
    public long AllocatedBytes() => _series.Values.Sum(s => { lock (s.Gate) { return (long)s.Fine.AllocatedBytes + s.Coarse.AllocatedBytes; } });

    private sealed class Series(DateTimeOffset at, long to, long from)
    {
        private DateTimeOffset _lastAt = at;
        private long _lastTo = to;
        private long _lastFrom = from;
        private long _slot = -1;
        private DateTimeOffset _slotAt;
        private long _slotTo;
        private long _slotFrom;
        private long _minute = -1;
        private long _minuteTo;
        private long _minuteFrom;
        private bool _ended;

        public Lock Gate { get; } = new();

        public ThroughputRing Fine { get; } = new(FineSlots);

        public ThroughputRing Coarse { get; } = new(CoarseSlots);

        public void Add(DateTimeOffset now, long to, long from, bool ended)
        {
            // An ended session gets one last sample (its final bytes), then no more zeros.
            if (_ended)
            {
                return;
            }

            if (now <= _lastAt)
            {
                return;
            }

            long dTo = Math.Max(0, to - _lastTo);
            long dFrom = Math.Max(0, from - _lastFrom);
            long seconds = now.ToUnixTimeSeconds();

            // A slot's rate covers everything since the last sample before it: a second sample in the
            // same slot (an extra Sample call) widens it rather than replacing it with the remainder.
            long slot = seconds / FineSeconds;
            if (slot != _slot)
            {
                _slot = slot;
                _slotAt = _lastAt;
                _slotTo = _lastTo;
                _slotFrom = _lastFrom;
            }

            double elapsed = (now - _slotAt).TotalSeconds;
            lock (Gate)
            {
                Fine.Add(slot, (float)(Math.Max(0, to - _slotTo) / elapsed), (float)(Math.Max(0, from - _slotFrom) / elapsed));

                // Bytes of an interval count for the minute it ends in (a sample on the minute is the
                // last of the one before). The minute's average is rewritten at each of its samples,
                // so the running minute shows too.
                long minute = (seconds - 1) / CoarseSeconds;
                if (minute != _minute)
                {
                    _minute = minute;
                    _minuteTo = 0;
                    _minuteFrom = 0;
                }

                _minuteTo += dTo;
                _minuteFrom += dFrom;
                Coarse.Add(_minute, _minuteTo / (float)CoarseSeconds, _minuteFrom / (float)CoarseSeconds);
            }

            _lastAt = now;
            _lastTo = to;
            _lastFrom = from;
            _ended = ended;
        }
    }
}
