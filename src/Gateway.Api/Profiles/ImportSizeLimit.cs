using Microsoft.AspNetCore.Http.Metadata;

namespace Gateway.Api.Profiles;

/// <summary>
/// The body size an import endpoint accepts. Routing applies it before the endpoint reads the body, so a
/// larger declared body is refused (413 ProblemDetails naming the limit) before any of it is parsed.
/// </summary>
internal sealed record ImportSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    /// <summary><c>POST /api/profiles/import</c>: room for <see cref="ProfilesApi.MaxImportedProfiles"/> ordinary profiles.</summary>
    public const long DocumentBytes = 8 * 1024 * 1024;

    /// <summary><c>POST /api/profiles/import-config</c>: a config file and its config-dir files.</summary>
    public const long ConfigBytes = 1024 * 1024;

    /// <summary>Names the limit in the 413 ProblemDetails of an endpoint that has one (however Kestrel refused the body).</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge
            && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ImportSizeLimit>() is { MaxRequestBodySize: { } limit })
        {
            context.ProblemDetails.Detail = $"The body is larger than the {limit} bytes ({limit / (1024 * 1024)} MiB) that {context.HttpContext.Request.Path} accepts; it was refused before it was read.";
            context.ProblemDetails.Extensions["limitBytes"] = limit;
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [$"At most {limit} bytes."] };
        }
    }
}
