using Gateway.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Sessions;

/// <summary>
/// A session's recent log lines, kept for the UI (bounded), and forwarded to the logger. Lines
/// embed what the service and peers sent (service ids, close reasons, HTTP answers), so each
/// line is escaped and capped (<see cref="LogText"/>) here, whatever wrote it. For the same reason
/// the session's own tokens (<see cref="Conceal"/>) are cut out of every line: a service's answer, an
/// exception's message or a renewer's words could repeat them, and tokens never reach a log.
/// Each kind of line has its own event id (<see cref="SessionLogEvents"/>); every line reads
/// <c>session {SessionId}: {Message}</c>, with those two values in its state for structured loggers.
/// </summary>
internal sealed class SessionLog(string sessionId, ILogger logger, TimeProvider time, Action<string, SessionLogLine>? onLine = null, int capacity = 200)
{
    private readonly Queue<SessionLogLine> _lines = new();
    private readonly Lock _gate = new();
    private readonly RepeatedLineLimiter _repeats = new(time);

    // A whole line may carry an exception with its stack trace: a larger cap than one value's.
    private const int MaxLineLength = 8192;

    /// <summary>What a concealed secret becomes in a line.</summary>
    public const string Concealed = "[token]";

    private string[] _secrets = [];

    /// <summary>From now on <paramref name="secret"/> (an access or client token) is replaced in every line and in <see cref="Scrub"/>.</summary>
    public void Conceal(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        lock (_gate)
        {
            if (!_secrets.Contains(secret, StringComparer.Ordinal))
            {
                _secrets = [.. _secrets, secret];
            }
        }
    }

    /// <summary><paramref name="text"/> without the concealed secrets (null stays null).</summary>
    public string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (string secret in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Concealed, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public void Write(LogLevel level, EventId eventId, string message)
    {
        message = LogText.Escape(Scrub(message)!, MaxLineLength);
        if (logger.IsEnabled(level))
        {
            logger.Log(level, eventId, new SessionLine(sessionId, message), null, SessionLine.Format);
        }

        if (level < LogLevel.Information)
        {
            return;
        }

        SessionLogLine line;
        lock (_gate)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            line = new SessionLogLine(time.GetUtcNow(), level.ToString(), message);
            _lines.Enqueue(line);
        }

        onLine?.Invoke(sessionId, line);
    }

    /// <summary>
    /// A line from a retry loop: <paramref name="key"/> (what happened, without attempt numbers, delays or ids) is
    /// written only now and then once it repeats (<see cref="RepeatedLineLimiter"/>), with the count of lines left out.
    /// </summary>
    public void WriteRepeated(LogLevel level, EventId eventId, string key, string message)
    {
        if (_repeats.ShouldWrite(key, out int suppressed))
        {
            Write(level, eventId, suppressed == 0 ? message : $"{message} ({suppressed} similar line(s) suppressed)");
        }
    }

    public void Debug(EventId eventId, string message) => Write(LogLevel.Debug, eventId, message);

    public void Info(EventId eventId, string message) => Write(LogLevel.Information, eventId, message);

    public void Warn(EventId eventId, string message) => Write(LogLevel.Warning, eventId, message);

    public void Error(EventId eventId, string message) => Write(LogLevel.Error, eventId, message);

    public IReadOnlyList<SessionLogLine> Recent()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }

    /// <summary>
    /// A line's state, as the logging source generator would make it for <c>session {SessionId}: {Message}</c>:
    /// the two values and the template, so structured loggers (and the CLI, which drops the prefix) read them.
    /// </summary>
    private readonly struct SessionLine(string sessionId, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private const string Template = "session {SessionId}: {Message}";

        public static readonly Func<SessionLine, Exception?, string> Format = static (line, _) => line.ToString();

        public int Count => 3;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("SessionId", sessionId),
            1 => new("Message", message),
            2 => new("{OriginalFormat}", Template),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"session {sessionId}: {message}";
    }
}
