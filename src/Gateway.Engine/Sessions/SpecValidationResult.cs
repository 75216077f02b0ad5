using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>Either a <see cref="ValidatedSpec"/> or every error found.</summary>
/// <param name="Spec">The spec with its strings parsed; null when it has errors.</param>
/// <param name="Errors">Every error found, each naming its field; empty when valid.</param>
public sealed record SpecValidationResult(ValidatedSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    /// <summary>True when the spec has no errors and <see cref="Spec"/> is set.</summary>
    public bool IsValid => Spec is not null && Errors.Count == 0;
}
