namespace Gateway.Api.Hosting;

/// <summary>
/// The generic host logs a start that failed ("Hosting failed to start") with the whole stack trace
/// before Program sees the exception. Program prints a problem an operator can fix as one line
/// (<see cref="StartupProblem"/>) and lets any other exception go unhandled, which prints it in full,
/// so the host's own error lines are dropped until the gateway has started; after that they pass.
/// </summary>
internal sealed class StartupLogFilter
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _started;

    public static void Add(WebApplicationBuilder builder)
    {
        var filter = new StartupLogFilter();
        builder.Services.AddSingleton(filter);
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && (filter._started || level != LogLevel.Error));
    }

    public void MarkStarted() => _started = true;
}
