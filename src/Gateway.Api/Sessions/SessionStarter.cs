using Gateway.Api.History;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Sessions;

/// <summary>
/// The one way the API starts a session (REST, profiles, autostart, demo pairing): the source-port
/// policy, the engine's start, and the history row with who started it.
/// </summary>
internal sealed class SessionStarter(SessionManager sessions, SourcePortPolicy ports, SessionHistoryRecorder history)
{
    /// <param name="spec">A spec; the engine validates it again.</param>
    /// <param name="startedBy">User or <c>key:NAME</c>, or a component such as <c>autostart</c>.</param>
    public SessionStartResult Start(SessionSpec spec, string? startedBy)
    {
        var portErrors = ports.Check(spec);
        if (portErrors.Count > 0)
        {
            return new SessionStartResult(null, portErrors);
        }

        var result = sessions.Start(spec);
        if (result.Started)
        {
            history.RecordStart(result.Session!, startedBy, spec.ProfileId, SessionSpecJson.WithoutSecrets(spec));
        }

        return result;
    }
}
