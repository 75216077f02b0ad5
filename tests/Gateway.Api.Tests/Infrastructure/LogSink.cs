using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>Collects every log line the gateway writes, formatted, so tests can search them.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Fails if any line (message or exception) contains <paramref name="secret"/>.</summary>
    public void AssertNeverLogged(string secret)
    {
        foreach (var line in _lines)
        {
            Assert.DoesNotContain(secret, line.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Fails if anything was logged at Error or Critical (a happy path logs none).</summary>
    public void AssertNoErrors()
    {
        var errors = _lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.ToString()).ToList();
        Assert.True(errors.Count == 0, "unexpected error log lines:\n" + string.Join("\n", errors));
    }

    internal sealed record LogLine(LogLevel Level, string Category, int EventId, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}[{EventId}] {Message} {Exception}";
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            sink._lines.Enqueue(new LogLine(logLevel, category, eventId.Id, formatter(state, exception), exception));
        }
    }
}
