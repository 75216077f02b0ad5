using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Sessions;

/// <summary>
/// Section <c>Sessions</c>: the ports source sessions may listen on, so that a session cannot take
/// the API's port or another service's (the gateway's own ports are refused whatever the range).
/// </summary>
public sealed class SessionsOptions : IValidatableObject
{
    public const string SectionName = "Sessions";

    [Range(1, 65535, ErrorMessage = "Sessions:SourcePortMin must be between 1 and 65535.")]
    public int SourcePortMin { get; set; } = 1024;

    [Range(1, 65535, ErrorMessage = "Sessions:SourcePortMax must be between 1 and 65535.")]
    public int SourcePortMax { get; set; } = 65535;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SourcePortMin > SourcePortMax)
        {
            yield return new ValidationResult($"Sessions:SourcePortMin ({SourcePortMin}) must not be above Sessions:SourcePortMax ({SourcePortMax}).", [nameof(SourcePortMin)]);
        }
    }
}
