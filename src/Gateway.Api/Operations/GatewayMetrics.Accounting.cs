using System.Diagnostics.Metrics;
using System.Globalization;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Operations;

/// <summary>
/// Running totals fed from session events. Each running session has a <see cref="SessionTally"/>
/// of what has been counted for it; a snapshot adds only what grew since. When a session ends its
/// tally is dropped (ended sessions are trimmed from the manager without an event, so nothing
/// could drop it later) and its id is remembered for a while, so that a late event of an ended
/// session cannot count it twice (bytes a session still counts after its end are not counted).
/// Byte counters lag by at most the manager's counter interval (250 ms). Handlers run on engine
/// threads: a short lock, no I/O, no throw.
/// </summary>
internal sealed partial class GatewayMetrics
{
    // Ids of recently ended sessions; a late event arrives within moments of the end, not after
    // thousands of other sessions ended.
    private const int RememberedEnded = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SessionTally> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();
    private readonly Dictionary<string, long> _handshakeFailures = new(StringComparer.Ordinal);
    private long _bytesToTunnel;
    private long _bytesFromTunnel;
    private long _reconnects;
    private double _throttledToTunnelMs;
    private double _throttledFromTunnelMs;
    private double _throttledConnectionsMs;
    private long _refusedByLimit;

    private static long Growth(long counted, long now) => now > counted ? now - counted : 0;

    private void OnSessionChanged(SessionEvent change)
    {
        try
        {
            Account(change.Session, change.Kind);
        }
        catch (Exception ex)
        {
            Log.AccountingFailed(_logger, change.Session.Id, ex);
        }
    }

    private void Account(SessionSnapshot session, SessionEventKind kind)
    {
        bool final = session.State.IsFinal();
        lock (_gate)
        {
            if (_ended.Contains(session.Id))
            {
                return;
            }

            if (!_running.TryGetValue(session.Id, out var tally))
            {
                // Removed comes long after the end, which was counted then (its id may be forgotten
                // by now). Any other first event is counted, even an end: a quick failure can
                // overtake the Connecting event of the start.
                if (kind == SessionEventKind.Removed)
                {
                    return;
                }

                tally = new SessionTally();
                _running.Add(session.Id, tally);
            }

            _bytesToTunnel += Growth(tally.BytesToTunnel, session.BytesToTunnel);
            _bytesFromTunnel += Growth(tally.BytesFromTunnel, session.BytesFromTunnel);
            _reconnects += Growth(tally.Reconnects, session.Reconnects);
            tally.BytesToTunnel = Math.Max(tally.BytesToTunnel, session.BytesToTunnel);
            tally.BytesFromTunnel = Math.Max(tally.BytesFromTunnel, session.BytesFromTunnel);
            tally.Reconnects = Math.Max(tally.Reconnects, session.Reconnects);
            _throttledToTunnelMs += Math.Max(0, session.ThrottledToTunnelMs - tally.ThrottledToTunnelMs);
            _throttledFromTunnelMs += Math.Max(0, session.ThrottledFromTunnelMs - tally.ThrottledFromTunnelMs);
            _throttledConnectionsMs += Math.Max(0, session.ThrottledConnectionsMs - tally.ThrottledConnectionsMs);
            _refusedByLimit += Growth(tally.RefusedByLimit, session.ConnectionsRefusedByLimit);
            tally.ThrottledToTunnelMs = Math.Max(tally.ThrottledToTunnelMs, session.ThrottledToTunnelMs);
            tally.ThrottledFromTunnelMs = Math.Max(tally.ThrottledFromTunnelMs, session.ThrottledFromTunnelMs);
            tally.ThrottledConnectionsMs = Math.Max(tally.ThrottledConnectionsMs, session.ThrottledConnectionsMs);
            tally.RefusedByLimit = Math.Max(tally.RefusedByLimit, session.ConnectionsRefusedByLimit);
            if (!final)
            {
                return;
            }

            if (session is { State: SessionState.Failed, Failure: SessionFailure.HandshakeRejected })
            {
                string status = session.HandshakeStatus?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
                _handshakeFailures[status] = _handshakeFailures.GetValueOrDefault(status) + 1;
            }

            _running.Remove(session.Id);
            _ended.Add(session.Id);
            _endedOrder.Enqueue(session.Id);
            if (_endedOrder.Count > RememberedEnded)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }
    }

    private (long ToTunnel, long FromTunnel) SessionBytes()
    {
        lock (_gate)
        {
            return (_bytesToTunnel, _bytesFromTunnel);
        }
    }

    private Measurement<double>[] ObserveThrottled()
    {
        lock (_gate)
        {
            return [new(_throttledToTunnelMs / 1000, ToTunnel), new(_throttledFromTunnelMs / 1000, FromTunnel), new(_throttledConnectionsMs / 1000, PerConnection)];
        }
    }

    private long ObserveRefusedByLimit()
    {
        lock (_gate)
        {
            return _refusedByLimit;
        }
    }

    private long ObserveReconnects()
    {
        lock (_gate)
        {
            return _reconnects;
        }
    }

    private Measurement<long>[] ObserveHandshakeFailures()
    {
        lock (_gate)
        {
            return [.. _handshakeFailures.Select(f => new Measurement<long>(f.Value, new KeyValuePair<string, object?>("status", f.Key)))];
        }
    }
}
