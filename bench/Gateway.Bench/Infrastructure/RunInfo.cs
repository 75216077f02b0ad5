namespace Gateway.Bench.Infrastructure;

/// <summary>What a results file says about the run that produced it.</summary>
internal sealed record RunInfo(DateTimeOffset StartedAt, string Command, string Machine, string Runtime, double DurationSeconds, bool Smoke, bool Completed);
