using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>
/// Failed logins, counted per user name and per client address over a sliding minute
/// (<c>Auth:LoginAttemptsPerMinute</c> of each). Successful logins do not count: an operator who
/// logs in often from a bastion is never locked out by it. An attempt is counted from its start and
/// forgotten again when it succeeds, so that parallel guesses cannot all pass the check before the
/// first failure is recorded. Memory is bounded: at most <see cref="MaxKeys"/> names and addresses.
/// </summary>
internal sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public const int MaxKeys = 10_000;

    private const int MaxUserNameKey = 128;

    private readonly Dictionary<string, List<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Limit => options.Value.LoginAttemptsPerMinute;

    /// <summary>
    /// Starts an attempt: null when the user name or the address already has its limit of failures in
    /// the last minute (<paramref name="retryAfter"/> says when the next attempt is allowed).
    /// </summary>
    public Attempt? TryBegin(string address, string userName, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        string[] keys = ["address:" + address, "user:" + (userName.Length > MaxUserNameKey ? userName[..MaxUserNameKey] : userName)];
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
            foreach (var key in keys)
            {
                if (_failures.TryGetValue(key, out var times))
                {
                    times.RemoveAll(t => now - t >= Window);
                    if (times.Count >= Limit)
                    {
                        var wait = times[^Limit] + Window - now;
                        retryAfter = wait > retryAfter ? wait : retryAfter;
                    }
                }
            }

            if (retryAfter > TimeSpan.Zero)
            {
                return null;
            }

            MakeRoom(now, keys.Length);
            foreach (var key in keys)
            {
                if (!_failures.TryGetValue(key, out var times))
                {
                    _failures[key] = times = [];
                }

                times.Add(now);
            }
        }

        return new Attempt(this, keys, now);
    }

    private void Succeeded(string[] keys, DateTimeOffset at)
    {
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (_failures.TryGetValue(key, out var times))
                {
                    times.Remove(at);
                    if (times.Count == 0)
                    {
                        _failures.Remove(key);
                    }
                }
            }
        }
    }

    /// <summary>Forgets keys without a failure in the window; then, if still full, the ones whose last failure is oldest.</summary>
    private void MakeRoom(DateTimeOffset now, int needed)
    {
        if (_failures.Count + needed <= MaxKeys)
        {
            return;
        }

        foreach (var (key, times) in _failures.ToList())
        {
            times.RemoveAll(t => now - t >= Window);
            if (times.Count == 0)
            {
                _failures.Remove(key);
            }
        }

        foreach (var key in _failures.OrderBy(f => f.Value[^1]).Take(_failures.Count + needed - MaxKeys).Select(f => f.Key).ToList())
        {
            _failures.Remove(key);
        }
    }

    /// <summary>A login attempt under way: it counts as a failure unless <see cref="Succeeded"/> is called.</summary>
    public sealed class Attempt(LoginThrottle throttle, string[] keys, DateTimeOffset at)
    {
        public void Succeeded() => throttle.Succeeded(keys, at);
    }
}
