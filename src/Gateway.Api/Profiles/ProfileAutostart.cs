using Gateway.Api.Sessions;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Profiles;

/// <summary>
/// Starts the profiles marked <c>autostart</c> once the gateway listens (a built-in-relay profile
/// needs the gateway's own HTTPS address). A profile that cannot start is logged, not fatal.
/// </summary>
internal sealed partial class ProfileAutostart(
    IHostApplicationLifetime lifetime,
    ProfileStore profiles,
    ProfileSessionSpecs specs,
    SessionStarter starter,
    SessionResumption resumption,
    Gateway.Engine.Sessions.SessionManager sessions,
    ILogger<ProfileAutostart> logger) : IHostedService
{
    public const string StartedBy = "autostart";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = StartProfilesAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task StartProfilesAsync(CancellationToken stopping)
    {
        try
        {
            // A profile's session that ran before the restart was resumed with its client token; starting
            // the profile again would use its (spent) token a second time.
            await resumption.Resumed.WaitAsync(stopping);
            var running = sessions.List()
                .Where(s => s.ProfileId is not null && !s.State.IsFinal())
                .Select(s => s.ProfileId!)
                .ToHashSet(StringComparer.Ordinal);
            foreach (var profile in (await profiles.ListAsync(stopping)).Where(p => p.Autostart))
            {
                if (running.Contains(profile.Id))
                {
                    Log.AlreadyResumed(logger, profile.Name);
                    continue;
                }

                StartOne(profile);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Log.Failed(logger, ex.Message);
        }
    }

    /// <summary>One profile; whatever goes wrong with it is logged and the next one still starts.</summary>
    private void StartOne(Data.ProfileEntity profile)
    {
        try
        {
            var built = specs.Build(profile);
            var result = built.IsValid ? starter.Start(built.Spec! with { ProfileId = profile.Id }, StartedBy) : null;
            if (result?.Started == true)
            {
                Log.Started(logger, profile.Name, result.Session!.Id);
            }
            else
            {
                var errors = result?.Errors ?? built.Errors;
                Log.NotStarted(logger, profile.Name, string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
            }
        }
        catch (Exception ex)
        {
            Log.NotStarted(logger, profile.Name, "unexpected error: " + ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3310, Level = LogLevel.Information, Message = "Autostart: profile '{Profile}' started as session {SessionId}")]
        public static partial void Started(ILogger logger, string profile, string sessionId);

        [LoggerMessage(EventId = 3311, Level = LogLevel.Warning, Message = "Autostart: profile '{Profile}' did not start: {Errors}")]
        public static partial void NotStarted(ILogger logger, string profile, string errors);

        [LoggerMessage(EventId = 3312, Level = LogLevel.Error, Message = "Autostart failed: {Error}")]
        public static partial void Failed(ILogger logger, string error);

        [LoggerMessage(EventId = 3709, Level = LogLevel.Information, Message = "Autostart: profile '{Profile}' runs already (its session was resumed after the restart)")]
        public static partial void AlreadyResumed(ILogger logger, string profile);
    }
}
