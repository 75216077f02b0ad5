using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Cli;

/// <summary>
/// Runs the one session of a <c>localproxy</c> process until the service ends it or a signal asks
/// for a stop, and turns the way it ended into an exit code (<see cref="ExitCodes"/>).
/// </summary>
internal sealed class ProxyRunner(ILoggerFactory loggerFactory, TimeProvider time)
{
    /// <summary>How long a requested stop may take: close frame, local bytes flushed, sockets closed.</summary>
    public static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    private readonly ILogger _log = loggerFactory.CreateLogger("localproxy");

    public async Task<int> RunAsync(SessionSpec spec, IServiceIdResolver? resolver, CancellationToken stop)
    {
        await using var sessions = new SessionManager(time, loggerFactory, Options.Create(new SessionManagerOptions { LogEnd = false }));
        var ended = new TaskCompletionSource<SessionSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? id = null;
        sessions.Changed += e =>
        {
            if (e.Session.Id == Volatile.Read(ref id) && e.Session.State.IsFinal())
            {
                ended.TrySetResult(e.Session);
            }
        };

        var started = sessions.Start(spec, resolver);
        if (!started.Started)
        {
            var option = spec.Mode == SessionMode.Source ? CliOptions.SourceListenPort : CliOptions.DestinationApp;
            foreach (var error in started.Errors)
            {
                _log.LogCritical("{Option}: {Message}", error.Field == "services" ? option.Display : error.Field, error.Message);
            }

            return started.IsConflict ? ExitCodes.PortUnavailable : ExitCodes.UsageError;
        }

        Volatile.Write(ref id, started.Session!.Id);
        if (sessions.Get(id!) is { } current && current.State.IsFinal())
        {
            ended.TrySetResult(current);
        }

        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = stop.Register(() => stopRequested.TrySetResult());
        var first = await Task.WhenAny(ended.Task, stopRequested.Task).ConfigureAwait(false);
        if (first != ended.Task)
        {
            _log.LogInformation("stop requested: closing the tunnel connection and local connections");
            try
            {
                await sessions.StopAsync(id!).WaitAsync(StopBound).ConfigureAwait(false);
                _log.LogInformation("stopped");
            }
            catch (TimeoutException)
            {
                _log.LogWarning("the stop did not finish within {Seconds} s; exiting anyway", StopBound.TotalSeconds);
            }

            return ExitCodes.Ok;
        }

        var snapshot = await ended.Task.ConfigureAwait(false);
        int code = ExitCode(snapshot);
        if (code == ExitCodes.Ok)
        {
            _log.LogInformation("{Reason}", snapshot.StateReason);
        }
        else
        {
            _log.LogCritical("{Reason}", snapshot.StateReason);
        }

        return code;
    }

    public static int ExitCode(SessionSnapshot snapshot) => snapshot.State switch
    {
        SessionState.Closed or SessionState.Stopped => ExitCodes.Ok,
        SessionState.Failed => snapshot.Failure switch
        {
            SessionFailure.HandshakeRejected => ExitCodes.HandshakeRejected,
            SessionFailure.RetriesExhausted or SessionFailure.ConnectionLost => ExitCodes.ServiceUnavailable,
            SessionFailure.Configuration => ExitCodes.ConfigurationError,
            SessionFailure.PortUnavailable => ExitCodes.PortUnavailable,
            _ => ExitCodes.InternalError,
        },
        _ => ExitCodes.InternalError,
    };
}
