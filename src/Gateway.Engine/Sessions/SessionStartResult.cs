namespace Gateway.Engine.Sessions;

/// <summary>
/// A started session, or why none was started: validation errors (each naming its field) or, with
/// <see cref="IsConflict"/>, a resource in use such as a source port.
/// </summary>
public sealed record SessionStartResult(SessionSnapshot? Session, IReadOnlyList<SpecError> Errors, bool IsConflict = false)
{
    public bool Started => Session is not null;
}
