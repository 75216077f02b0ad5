using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.SignalR;

namespace Gateway.Api.Hubs;

/// <summary>
/// Turns the engine's session events into <see cref="SessionsHub"/> messages. Engine handlers only
/// enqueue (never block, never throw); one loop sends, in the order the engine raised the events, so
/// sends never run on engine threads and never reorder. State changes go out at once; counters and
/// subscribers' details are coalesced per session and flushed every <see cref="FlushInterval"/>.
/// The queue is bounded: if clients cannot keep up, a session's further events are folded into one
/// catch-up snapshot sent when the queue drains (and log lines for live views are dropped), so memory
/// does not grow with a slow client and the data path never waits for the UI.
/// </summary>
internal sealed partial class SessionsHubBroadcaster : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private const int QueueCapacity = 8192;

    private readonly Channel<HubUpdate> _updates = Channel.CreateBounded<HubUpdate>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Sessions whose events did not fit in the queue: their later events are skipped too (so nothing
    // older overtakes) until the loop sends their current snapshot.
    private readonly ConcurrentDictionary<string, byte> _behind = new(StringComparer.Ordinal);
    private readonly IHubContext<SessionsHub, ISessionsClient> _hub;
    private readonly SessionManager _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionsHubBroadcaster> _logger;
    private readonly CancellationTokenSource _stopping = new();

    // Owned by the loop.
    private readonly Dictionary<string, SessionCounters> _pendingCounters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionCounters> _sentCounters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionSnapshot> _pendingDetails = new(StringComparer.Ordinal);

    private ITimer? _flushTimer;
    private Task _loop = Task.CompletedTask;
    private int _flushQueued;
    private int _overflowing;
    private long _droppedLogLines;
    private int _disposed;

    public SessionsHubBroadcaster(IHubContext<SessionsHub, ISessionsClient> hub, SessionManager sessions, TimeProvider time, ILogger<SessionsHubBroadcaster> logger)
    {
        _hub = hub;
        _sessions = sessions;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sessions.Changed += OnChanged;
        _sessions.LogWritten += OnLogWritten;
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        _flushTimer = _time.CreateTimer(_ => QueueFlush(), null, FlushInterval, FlushInterval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _sessions.Changed -= OnChanged;
        _sessions.LogWritten -= OnLogWritten;
        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered twice (itself and as a hosted service): DI disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _sessions.Changed -= OnChanged;
        _sessions.LogWritten -= OnLogWritten;
        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    // Engine threads: enqueue only.
    private void OnChanged(SessionEvent e)
    {
        try
        {
            var kind = e.Kind switch
            {
                SessionEventKind.Counters => HubUpdateKind.Counters,
                SessionEventKind.Removed => HubUpdateKind.Removed,
                _ => HubUpdateKind.Changed,
            };
            string id = e.Session.Id;
            if (_behind.ContainsKey(id))
            {
                return;
            }

            if (!_updates.Writer.TryWrite(new HubUpdate(kind, id, e.Session)))
            {
                _behind[id] = 0;
                if (Interlocked.Exchange(ref _overflowing, 1) == 0)
                {
                    Log.FellBehind(_logger, QueueCapacity);
                }
            }
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private void OnLogWritten(string sessionId, SessionLogLine line)
    {
        try
        {
            if (!_updates.Writer.TryWrite(new HubUpdate(HubUpdateKind.Log, sessionId, Line: line)))
            {
                // GET /api/tunnels/{id}/logs (or Subscribe) still has the line.
                Interlocked.Increment(ref _droppedLogLines);
            }
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private void QueueFlush()
    {
        // One tick in the queue at a time; when the queue is full, the next tick tries again.
        if (Interlocked.Exchange(ref _flushQueued, 1) == 0 && !_updates.Writer.TryWrite(HubUpdate.Flush))
        {
            Volatile.Write(ref _flushQueued, 0);
        }
    }
}
