using Gateway.Engine.Sessions;

namespace Gateway.Bench.Infrastructure;

/// <summary>Waits, bounded, until sessions are connected (polls the manager's snapshots, every 50 to 500 ms by count).</summary>
internal static class SessionWaiter
{
    public static async Task WaitConnectedAsync(SessionManager sessions, IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pending = new HashSet<string>(ids, StringComparer.Ordinal);
        while (true)
        {
            foreach (var snapshot in sessions.List())
            {
                if (pending.Contains(snapshot.Id))
                {
                    if (snapshot.State is SessionState.Failed or SessionState.Stopped or SessionState.Closed)
                    {
                        throw new InvalidOperationException($"session {snapshot.Id} ended: {snapshot.State} {snapshot.StateReason} {snapshot.LastError}");
                    }

                    if (snapshot.State == SessionState.Connected && snapshot.StateReason is null)
                    {
                        pending.Remove(snapshot.Id);
                    }
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pending.Count} of {ids.Count} session(s) did not connect within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(Math.Clamp(ids.Count / 10, 50, 500));
        }
    }
}
