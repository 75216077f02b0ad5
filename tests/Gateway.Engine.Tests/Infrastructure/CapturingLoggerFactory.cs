using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>A logger factory that keeps every formatted line (all levels), so tests can read what reached the log.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>Each line as <c>{level}[{event id}] {text}</c>.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Each line with its event id and the values of its state (a structured logger's view).</summary>
    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("lines are captured, not forwarded");

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            string text = formatter(state, exception);
            owner._lines.Enqueue($"{logLevel}[{eventId.Id}] {text}");
            var values = state is IReadOnlyList<KeyValuePair<string, object?>> list
                ? list.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal)
                : [];
            owner._entries.Enqueue(new Entry(logLevel, eventId, text, values));
        }
    }

    internal sealed record Entry(LogLevel Level, EventId EventId, string Text, IReadOnlyDictionary<string, object?> Values);
}
