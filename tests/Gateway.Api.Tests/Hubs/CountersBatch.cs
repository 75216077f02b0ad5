using Gateway.Api.Hubs;

namespace Gateway.Api.Tests.Hubs;

/// <summary>A received <c>sessionCounters</c> batch and when it arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
internal sealed record CountersBatch(long ReceivedAt, SessionCounters[] Batch);
