namespace Gateway.Engine.Sessions;

/// <summary>Either a <see cref="ValidatedSpec"/> or every error found.</summary>
public sealed record SpecValidationResult(ValidatedSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Spec is not null && Errors.Count == 0;
}
