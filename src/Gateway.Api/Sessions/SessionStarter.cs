using Gateway.Api.Clouds;
using Gateway.Api.History;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Sessions;

/// <summary>
/// The one way the API starts a session (REST, profiles, autostart, clouds, resumption, demo pairing):
/// the source-port policy, a client token (so the service accepts reconnects and a restart can resume
/// it), the engine's start, the history row with who started it, and the row that resumes it after a
/// restart. A session on a cloud tunnel the gateway opened gets its token rotated there when the
/// service refuses it (as spent, or revoked while the gateway was down).
/// </summary>
internal sealed class SessionStarter(
    SessionManager sessions,
    SourcePortPolicy ports,
    SessionHistoryRecorder history,
    SessionResumption resumption,
    CloudTokenRenewer renewer)
{
    /// <param name="spec">A spec; the engine validates it again.</param>
    /// <param name="startedBy">User or <c>key:NAME</c>, or a component such as <c>autostart</c>.</param>
    /// <param name="options">The id to use (resumption); the token renewer is added for cloud tunnels.</param>
    /// <param name="persist">Resume the session after a restart (not for demo pairs, which are closed at start).</param>
    /// <param name="closeTunnelOnStop">Stopping the session closes its cloud tunnel.</param>
    /// <param name="resumed">The session is being resumed after a restart.</param>
    public SessionStartResult Start(
        SessionSpec spec,
        string? startedBy,
        SessionStartOptions? options = null,
        bool persist = true,
        bool closeTunnelOnStop = false,
        bool resumed = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var portErrors = ports.Check(spec);
        if (portErrors.Count > 0)
        {
            return new SessionStartResult(null, portErrors);
        }

        if (spec.ClientToken is null)
        {
            spec = spec with { ClientToken = ClientTokens.Generate() };
        }

        options ??= new SessionStartOptions();
        if (spec.Tunnel is { OpenedHere: true } && options.TokenRenewer is null)
        {
            var current = spec;
            options = options with { TokenRenewer = (refusal, cancellationToken) => renewer.RenewAsync(current, refusal, cancellationToken) };
        }

        var result = sessions.Start(spec, options);
        if (result.Started)
        {
            history.RecordStart(result.Session!, resumed ? $"{startedBy} ({SessionResumption.ResumedBy})" : startedBy, spec.ProfileId, SessionSpecJson.WithoutSecrets(spec));
            if (persist)
            {
                resumption.Track(result.Session!, spec, startedBy, closeTunnelOnStop);
            }
        }

        return result;
    }
}
