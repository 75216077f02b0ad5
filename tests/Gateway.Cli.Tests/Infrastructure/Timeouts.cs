namespace Gateway.Cli.Tests.Infrastructure;

internal static class Timeouts
{
    /// <summary>Bound for one step (a process start, a log line, a connection).</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    /// <summary>Bound for a transfer or a whole run.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
}
