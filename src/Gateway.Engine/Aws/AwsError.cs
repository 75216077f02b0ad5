namespace Gateway.Engine.Aws;

/// <summary>An error as AWS's JSON protocols send it: <c>{"__type": Type, "message": Message}</c> with an HTTP status.</summary>
/// <param name="Type">The error code, sent as <c>__type</c>: one of <see cref="AwsErrorTypes"/> for errors we answer.</param>
/// <param name="Message">A sentence for the caller saying what is wrong, sent as <c>message</c>.</param>
/// <param name="Status">The HTTP status code of the answer; 400 unless given.</param>
public sealed record AwsError(string Type, string Message, int Status = 400)
{
    /// <summary>A <see cref="AwsErrorTypes.Validation"/> error (status 400): a request field has a value the operation refuses.</summary>
    /// <param name="message">What is wrong with which field.</param>
    public static AwsError Validation(string message) => new(AwsErrorTypes.Validation, message);

    /// <summary>A <see cref="AwsErrorTypes.ResourceNotFound"/> error (status 400): no tunnel has the id or ARN asked for.</summary>
    /// <param name="message">Which tunnel was not found.</param>
    public static AwsError NotFound(string message) => new(AwsErrorTypes.ResourceNotFound, message);
}

/// <summary>The error codes (<c>__type</c>) the management API answers.</summary>
public static class AwsErrorTypes
{
    /// <summary>A request field is missing, or its value is out of range or malformed (400).</summary>
    public const string Validation = "ValidationException";
    /// <summary>The body is not JSON, not a JSON object, or a field has the wrong JSON type (400).</summary>
    public const string Serialization = "SerializationException";
    /// <summary>No tunnel has the id or ARN the request names (400).</summary>
    public const string ResourceNotFound = "ResourceNotFoundException";
    /// <summary>The request would pass a limit: open tunnels, services per tunnel or tags per tunnel (400).</summary>
    public const string LimitExceeded = "LimitExceededException";
    /// <summary>The request carries no Authorization header: it is not signed (403).</summary>
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    /// <summary>The Authorization header or X-Amz-Date is malformed or lacks a part SigV4 needs (400).</summary>
    public const string IncompleteSignature = "IncompleteSignatureException";
    /// <summary>The access key id in the signature is unknown or revoked (400).</summary>
    public const string UnrecognizedClient = "UnrecognizedClientException";
    /// <summary>The signature does not match, or its scope (date, region, service), time or signed headers are wrong (400).</summary>
    public const string InvalidSignature = "InvalidSignatureException";
    /// <summary>The caller may not make this call: a read-only key asked for a change (400), or the request came over plain HTTP where that is not allowed (403).</summary>
    public const string AccessDenied = "AccessDeniedException";
    /// <summary>X-Amz-Target names no operation of the service (400).</summary>
    public const string UnknownOperation = "UnknownOperationException";
    /// <summary>The Content-Type is not <c>application/x-amz-json-1.1</c> (415).</summary>
    public const string UnsupportedMediaType = "UnsupportedMediaTypeException";
    /// <summary>The request body is larger than the endpoint accepts (413).</summary>
    public const string RequestTooLarge = "RequestEntityTooLargeException";
    /// <summary>AWS failed on its side and the call may be retried. Read in AWS's answers; our management API answers <see cref="ServiceUnavailable"/> instead.</summary>
    public const string InternalFailure = "InternalFailure";
    /// <summary>The gateway could not complete the call, for example its database failed; the caller should retry (503).</summary>
    public const string ServiceUnavailable = "ServiceUnavailableException";
}
