using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli;

/// <summary>
/// One line per event on a text writer (stderr): <c>2026-11-25T09:15:02.123Z [info] message</c>.
/// The engine's per-session prefix is dropped, since the CLI runs one session.
/// </summary>
internal sealed class ConsoleLogProvider(TextWriter output, LogLevel minimum, TimeProvider time) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, ConsoleLogger> _loggers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public LogLevel Minimum => minimum;

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, _ => new ConsoleLogger(this));

    public void Dispose()
    {
        lock (_gate)
        {
            output.Flush();
        }
    }

    internal void Write(LogLevel level, string message, Exception? exception)
    {
        string line = $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} [{LevelName(level)}] {message}";
        lock (_gate)
        {
            output.WriteLine(line);
            if (exception is not null)
            {
                output.WriteLine(exception.ToString());
            }

            output.Flush();
        }
    }

    /// <summary>The reference's level names (Boost.Log).</summary>
    internal static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };

    private sealed class ConsoleLogger(ConsoleLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            provider.Write(logLevel, SessionMessage(state) ?? formatter(state, exception), exception);
        }

        /// <summary>The bare message of the engine's "session {SessionId}: {Message}" lines.</summary>
        private static string? SessionMessage<TState>(TState state)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                return null;
            }

            bool isSession = false;
            string? message = null;
            foreach (var (key, value) in values)
            {
                if (key == "SessionId")
                {
                    isSession = true;
                }
                else if (key == "Message")
                {
                    message = value as string;
                }
            }

            return isSession ? message : null;
        }
    }
}
