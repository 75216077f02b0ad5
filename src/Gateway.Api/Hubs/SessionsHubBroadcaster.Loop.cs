using Gateway.Engine.Sessions;

namespace Gateway.Api.Hubs;

/// <summary>The one loop that sends: queue order, coalescing, catch-up after an overflow.</summary>
internal sealed partial class SessionsHubBroadcaster
{
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _updates.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var update))
                {
                    await HandleAsync(update, cancellationToken).ConfigureAwait(false);
                }

                await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task HandleAsync(HubUpdate update, CancellationToken cancellationToken)
    {
        switch (update.Kind)
        {
            case HubUpdateKind.Changed:
                var changed = update.Session!;
                _pendingCounters[changed.Id] = SessionCounters.From(changed, _time.GetUtcNow());
                _pendingDetails[changed.Id] = changed;
                await TrySendAsync(nameof(ISessionsClient.sessionChanged), () => _hub.Clients.All.sessionChanged(changed, cancellationToken), cancellationToken).ConfigureAwait(false);
                break;
            case HubUpdateKind.Counters:
                var counted = update.Session!;
                _pendingCounters[counted.Id] = SessionCounters.From(counted, _time.GetUtcNow());
                _pendingDetails[counted.Id] = counted;
                break;
            case HubUpdateKind.Removed:
                _pendingCounters.Remove(update.SessionId);
                _sentCounters.Remove(update.SessionId);
                _pendingDetails.Remove(update.SessionId);
                await TrySendAsync(nameof(ISessionsClient.sessionRemoved), () => _hub.Clients.All.sessionRemoved(update.SessionId, cancellationToken), cancellationToken).ConfigureAwait(false);
                break;
            case HubUpdateKind.Log:
                await TrySendAsync(nameof(ISessionsClient.sessionLog), () => _hub.Clients.Group(SessionsHub.GroupName(update.SessionId)).sessionLog(update.SessionId, update.Line!, cancellationToken), cancellationToken).ConfigureAwait(false);
                break;
            case HubUpdateKind.Flush:
                Volatile.Write(ref _flushQueued, 0);
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>One <c>sessionCounters</c> batch of what moved since the last one; one <c>sessionDetail</c> per changed session.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pendingCounters.Count > 0)
        {
            var batch = new List<SessionCounters>(_pendingCounters.Count);
            foreach (var counters in _pendingCounters.Values)
            {
                if (!_sentCounters.TryGetValue(counters.Id, out var sent) || !sent.SameValues(counters))
                {
                    batch.Add(counters);
                }
            }

            _pendingCounters.Clear();
            foreach (var counters in batch)
            {
                // A finished session's counters do not move again; forget it (it may be trimmed without an event).
                if (counters.State.IsFinal())
                {
                    _sentCounters.Remove(counters.Id);
                }
                else
                {
                    _sentCounters[counters.Id] = counters;
                }
            }

            if (batch.Count > 0)
            {
                await TrySendAsync(nameof(ISessionsClient.sessionCounters), () => _hub.Clients.All.sessionCounters(batch, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }

        if (_pendingDetails.Count > 0)
        {
            var details = _pendingDetails.Values.ToList();
            _pendingDetails.Clear();
            foreach (var session in details)
            {
                await TrySendAsync(nameof(ISessionsClient.sessionDetail), () => _hub.Clients.Group(SessionsHub.GroupName(session.Id)).sessionDetail(session, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }

        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After an overflow: the current snapshot of each session that fell behind, as a change (or its removal).</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        long dropped = Interlocked.Exchange(ref _droppedLogLines, 0);
        if (dropped > 0)
        {
            Log.LogLinesDropped(_logger, dropped);
        }

        if (_behind.IsEmpty)
        {
            return;
        }

        foreach (string id in _behind.Keys)
        {
            // Removed first, read after: a later event either is queued behind this snapshot or marks it again.
            _behind.TryRemove(id, out _);
            var update = _sessions.Get(id) is { } session ? new HubUpdate(HubUpdateKind.Changed, id, session) : new HubUpdate(HubUpdateKind.Removed, id);
            await HandleAsync(update, cancellationToken).ConfigureAwait(false);
        }

        if (_behind.IsEmpty && Interlocked.Exchange(ref _overflowing, 0) == 1)
        {
            Log.CaughtUp(_logger);
        }
    }

    /// <summary>Runs one send; a failure is logged (under <paramref name="method"/>), never thrown: the loop must survive it.</summary>
    private async Task TrySendAsync(string method, Func<Task> send, CancellationToken cancellationToken)
    {
        try
        {
            await send().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The clients re-sync when they reconnect.
            Log.SendFailed(_logger, method, ex.Message);
        }
    }
}
