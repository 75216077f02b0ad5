using System.Collections.Concurrent;
using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Runs many sessions in one process: start, stop, list, get, reset one connection. Publishes a
/// <see cref="SessionEvent"/> at once for state and connection changes and, at a bounded rate,
/// counter snapshots, so a UI never slows the data path.
/// </summary>
public sealed class SessionManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TunnelSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _published = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionManagerOptions _options;
    private readonly ITimer _counterTimer;

    private static readonly System.Buffers.SearchValues<char> IdCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    /// <summary>A manager with no sessions; its timer for counter snapshots starts at once.</summary>
    /// <param name="time">The clock of sessions (retries, timestamps) and of the counter timer.</param>
    /// <param name="loggerFactory">Makes the log category <c>Gateway.Engine.Sessions</c> that every session writes to.</param>
    /// <param name="options">The engine's knobs; null for the defaults.</param>
    public SessionManager(TimeProvider time, ILoggerFactory loggerFactory, IOptions<SessionManagerOptions>? options = null)
    {
        _time = time;
        _logger = loggerFactory.CreateLogger("Gateway.Engine.Sessions");
        _options = options?.Value ?? new SessionManagerOptions();
        _counterTimer = time.CreateTimer(_ => PublishCounters(), null, _options.CounterInterval, _options.CounterInterval);
    }

    /// <summary>Raised on a thread of the engine; handlers must be quick and must not throw.</summary>
    public event Action<SessionEvent>? Changed;

    /// <summary>
    /// Raised for each line a session adds to its log (Information and above: what <see cref="GetLog"/>
    /// keeps), with the session's id; on a thread of the engine; handlers must be quick and must not throw.
    /// </summary>
    public event Action<string, SessionLogLine>? LogWritten;

    /// <summary>Validates <paramref name="spec"/> and starts it. Never throws for bad input.</summary>
    public SessionStartResult Start(SessionSpec spec, IServiceIdResolver? resolver = null) =>
        Start(spec, new SessionStartOptions { Resolver = resolver });

    /// <summary>Validates <paramref name="spec"/> and starts it with <paramref name="options"/>. Never throws for bad input.</summary>
    public SessionStartResult Start(SessionSpec spec, SessionStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var validation = SessionSpecValidator.Validate(spec);
        if (!validation.IsValid)
        {
            return new SessionStartResult(null, validation.Errors);
        }

        string id = options.Id ?? Guid.NewGuid().ToString("n")[..12];
        if (options.Id is not null)
        {
            if (id.Length is 0 or > 64 || id.AsSpan().IndexOfAnyExcept(IdCharacters) >= 0)
            {
                return new SessionStartResult(null, [new SpecError("id", "A session id is 1 to 64 of letters, digits, '_' and '-'.")]);
            }

            if (_sessions.TryGetValue(id, out var existing))
            {
                if (!existing.IsFinished)
                {
                    return new SessionStartResult(null, [new SpecError("id", $"Session '{id}' is running.")], IsConflict: true);
                }

                _sessions.TryRemove(id, out _);
            }
        }

        TunnelSession session;
        try
        {
            session = new TunnelSession(id, validation.Spec!, options.Resolver, _time, _logger, _options.ConnectTimeout, OnSessionChanged, OnLogLine, _options.LogEnd, options.TokenRenewer);
        }
        catch (ArgumentException ex)
        {
            return new SessionStartResult(null, [new SpecError("bindAddress", ex.Message)]);
        }

        try
        {
            session.Start();
        }
        catch (PortConflictException ex)
        {
            return new SessionStartResult(null, [new SpecError("services", ex.Message)], IsConflict: true);
        }

        _sessions[id] = session;
        TrimFinished();
        var snapshot = session.Snapshot();
        Changed?.Invoke(new SessionEvent(SessionEventKind.Changed, snapshot));
        return new SessionStartResult(snapshot, []);
    }

    /// <summary>Every session the manager holds, running or finished (up to <see cref="SessionManagerOptions.MaxFinishedSessions"/> finished ones), oldest first.</summary>
    public IReadOnlyList<SessionSnapshot> List() =>
        _sessions.Values.OrderBy(s => s.CreatedAt).Select(s => s.Snapshot()).ToList();

    /// <summary>A snapshot of one session; null if no session has <paramref name="id"/> (or it was forgotten).</summary>
    /// <param name="id">The session id.</param>
    public SessionSnapshot? Get(string id) => _sessions.TryGetValue(id, out var session) ? session.Snapshot() : null;

    /// <summary>
    /// The spec a session runs with (its current access token included: never show or log it), and how
    /// it was started, so that a finished session can be started again under its id; null if unknown.
    /// </summary>
    public (SessionSpec Spec, SessionStartOptions Options)? GetStartInfo(string id) =>
        _sessions.TryGetValue(id, out var session)
            ? (session.Spec.Spec, new SessionStartOptions { Id = id, Resolver = session.Resolver, TokenRenewer = session.TokenRenewer })
            : null;

    /// <summary>The session's most recent log lines (up to 200, Information and above, tokens cut out), oldest first; null if the session is unknown.</summary>
    /// <param name="id">The session id.</param>
    public IReadOnlyList<SessionLogLine>? GetLog(string id) => _sessions.TryGetValue(id, out var session) ? session.Log.Recent() : null;

    /// <summary>Stops a session (close frame to the service, local connections closed); its final snapshot, or null if unknown.</summary>
    public async Task<SessionSnapshot?> StopAsync(string id)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        await session.StopAsync().ConfigureAwait(false);
        return session.Snapshot();
    }

    /// <summary>Resets one connection (<c>serviceId.connectionId</c>): its CONNECTION_RESET goes to the peer. Null if the session is unknown.</summary>
    public bool? ResetConnection(string id, string connectionKey) =>
        _sessions.TryGetValue(id, out var session) ? session.ResetConnection(connectionKey) : null;

    /// <summary>Forgets a finished session. False if it is unknown or still running.</summary>
    public bool Remove(string id)
    {
        if (!_sessions.TryGetValue(id, out var session) || !session.IsFinished)
        {
            return false;
        }

        _sessions.TryRemove(id, out _);
        _published.TryRemove(id, out _);
        Changed?.Invoke(new SessionEvent(SessionEventKind.Removed, session.Snapshot()));
        return true;
    }

    /// <summary>Stops every session, as <see cref="StopAsync"/> does, and waits for all of them. The sessions stay listed.</summary>
    public async Task StopAllAsync()
    {
        await Task.WhenAll(_sessions.Values.Select(s => s.StopAsync())).ConfigureAwait(false);
    }

    /// <summary>Stops publishing counter snapshots, then stops every session (<see cref="StopAllAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await _counterTimer.DisposeAsync().ConfigureAwait(false);
        await StopAllAsync().ConfigureAwait(false);
    }

    private void OnSessionChanged(TunnelSession session, bool stateChanged)
    {
        var snapshot = session.Snapshot();
        _published[session.Id] = session.Version;
        try
        {
            Changed?.Invoke(new SessionEvent(SessionEventKind.Changed, snapshot));
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "a session event handler failed");
        }
    }

    private void OnLogLine(string sessionId, SessionLogLine line)
    {
        try
        {
            LogWritten?.Invoke(sessionId, line);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "a session log handler failed");
        }
    }

    private void PublishCounters()
    {
        if (Changed is null)
        {
            return;
        }

        foreach (var session in _sessions.Values)
        {
            long version = session.Version;
            if (_published.TryGetValue(session.Id, out long seen) && seen == version)
            {
                continue;
            }

            _published[session.Id] = version;
            try
            {
                Changed?.Invoke(new SessionEvent(SessionEventKind.Counters, session.Snapshot()));
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "a session event handler failed");
            }
        }
    }

    private void TrimFinished()
    {
        var finished = _sessions.Values.Where(s => s.IsFinished).OrderBy(s => s.CreatedAt).ToList();
        for (int i = 0; i < finished.Count - _options.MaxFinishedSessions; i++)
        {
            _sessions.TryRemove(finished[i].Id, out _);
            _published.TryRemove(finished[i].Id, out _);
        }
    }
}
