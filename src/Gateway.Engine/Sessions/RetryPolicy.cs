using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Exponential back-off with jitter, starting at <c>retry_delay_ms</c> and capped, honouring
/// <c>connect_retry_count</c> exactly (-1 = forever). Returns the next delay or null to stop
/// (the reference retries every 2.5 s forever whatever the count; docs/protocol.md section 17).
/// No delay is shorter than <see cref="ProxySettingsJson.MinRetryDelayMs"/>, whatever it was built with
/// (validation refuses a smaller setting; this is the guard for callers that skip it).
/// </summary>
internal sealed class RetryPolicy(int firstDelayMs, int retryCount, double maxDelayMs = 60_000)
{
    /// <param name="failedAttempts">Attempts that failed in a row, at least 1.</param>
    public TimeSpan? NextDelay(int failedAttempts)
    {
        if (retryCount >= 0 && failedAttempts > retryCount)
        {
            return null;
        }

        double baseDelay = Math.Min(Math.Max(maxDelayMs, firstDelayMs), firstDelayMs * Math.Pow(2, Math.Min(failedAttempts - 1, 30)));
        double jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Max(ProxySettingsJson.MinRetryDelayMs, baseDelay * jitter));
    }
}
