using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>Keeps the gateway's warnings and errors, in order, so that tests can show them and fail on errors.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();

    /// <summary>How many lines so far: a mark for <see cref="Since"/>.</summary>
    public int Count => _lines.Count;

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    /// <summary>The lines after <paramref name="mark"/> (a <see cref="Count"/> taken earlier).</summary>
    public IReadOnlyList<(LogLevel Level, string Text)> Since(int mark) => _lines.Skip(mark).ToList();

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                sink._lines.Enqueue((logLevel, $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}"));
            }
        }
    }
}
