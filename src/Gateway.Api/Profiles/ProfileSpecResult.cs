using Gateway.Api.Sessions;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Profiles;

/// <summary>
/// The session spec built from a profile, or every error found (fields named as in a
/// <c>POST /api/tunnels</c> body, e.g. <c>accessToken</c>, <c>services</c>, <c>useBuiltInRelay</c>).
/// </summary>
internal sealed record ProfileSpecResult(SessionSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Spec is not null && Errors.Count == 0;

    /// <summary>The errors as a ValidationProblem's <c>errors</c>: messages grouped by field.</summary>
    public Dictionary<string, string[]> ToValidationErrors() => StartTunnelSpecs.ToValidationErrors(Errors);
}
