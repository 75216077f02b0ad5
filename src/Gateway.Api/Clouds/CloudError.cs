using Gateway.Engine.Aws;

namespace Gateway.Api.Clouds;

/// <summary>
/// Why a call to a cloud's management API failed: AWS's error code (<c>__type</c>) and message, or one
/// of this gateway's codes when no answer came (<see cref="Unreachable"/>, <see cref="NoCredentials"/>,
/// <see cref="Timeout"/>, <see cref="BadResponse"/>).
/// </summary>
internal sealed record CloudError(string Code, string Message, int? HttpStatus = null, string? RequestId = null)
{
    public const string Unreachable = "Unreachable";
    public const string NoCredentials = "NoCredentials";
    public const string Timeout = "Timeout";
    public const string BadResponse = "BadResponse";

    /// <summary>Throttling and server faults are worth another try; nothing else is.</summary>
    public bool IsRetryable => HttpStatus >= 500
        || Code is "ThrottlingException" or "Throttling" or "TooManyRequestsException" or "RequestLimitExceeded" or AwsErrorTypes.ServiceUnavailable or AwsErrorTypes.InternalFailure;

    /// <summary>The cause in a sentence an operator can act on.</summary>
    public string Reason => Code switch
    {
        AwsErrorTypes.UnrecognizedClient or "InvalidClientTokenId" => $"unknown key: the cloud does not know this access key id ({Message})",
        AwsErrorTypes.InvalidSignature or "SignatureDoesNotMatch" when IsWrongRegion => $"wrong region: the calls are signed for a region the endpoint does not serve; give the cloud the endpoint's region ({Message})",
        AwsErrorTypes.InvalidSignature or "SignatureDoesNotMatch" => $"bad signature: the secret access key does not belong to the access key id ({Message})",
        "ExpiredTokenException" or "ExpiredToken" => $"expired token: the temporary credentials have expired; refresh them ({Message})",
        AwsErrorTypes.AccessDenied => $"access denied: the credentials lack the IAM permission for this call ({Message})",
        AwsErrorTypes.MissingAuthenticationToken or AwsErrorTypes.IncompleteSignature => $"not signed: the request carried no usable signature ({Message})",
        Unreachable => $"no route: {Message}",
        NoCredentials => $"no credentials: {Message}",
        Timeout => $"timeout: {Message}",
        AwsErrorTypes.ResourceNotFound => $"not found: {Message}",
        AwsErrorTypes.LimitExceeded => $"limit exceeded: {Message}",
        AwsErrorTypes.Validation => $"refused as invalid: {Message}",
        _ when IsRetryable => $"the cloud is busy or failing ({Code}): {Message}",
        _ => $"{Code}: {Message}",
    };

    // AWS (and this gateway's relay) refuse a credential scoped to another region as a bad signature that says so.
    private bool IsWrongRegion => Message.Contains("scoped to a valid region", StringComparison.OrdinalIgnoreCase);

    /// <summary>The HTTP status this gateway answers with when a call fails for this reason.</summary>
    public int StatusForCaller => Code switch
    {
        AwsErrorTypes.ResourceNotFound => StatusCodes.Status404NotFound,
        AwsErrorTypes.LimitExceeded => StatusCodes.Status409Conflict,
        AwsErrorTypes.Validation => StatusCodes.Status400BadRequest,
        _ when IsRetryable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status502BadGateway,
    };
}
