using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// A started session, or why none was started: validation errors (each naming its field) or, with
/// <see cref="IsConflict"/>, a resource in use such as a source port.
/// </summary>
/// <param name="Session">The first snapshot of the started session; null when none was started.</param>
/// <param name="Errors">Why none was started, each naming its field; empty when started.</param>
/// <param name="IsConflict">True when the spec is valid but something it needs is taken: a source port in use, or a running session with the id asked for.</param>
public sealed record SessionStartResult(SessionSnapshot? Session, IReadOnlyList<SpecError> Errors, bool IsConflict = false)
{
    /// <summary>True when the session was started (<see cref="Session"/> is set).</summary>
    public bool Started => Session is not null;
}
