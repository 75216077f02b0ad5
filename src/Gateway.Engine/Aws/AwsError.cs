namespace Gateway.Engine.Aws;

/// <summary>An error as AWS's JSON protocols send it: <c>{"__type": Type, "message": Message}</c> with an HTTP status.</summary>
public sealed record AwsError(string Type, string Message, int Status = 400)
{
    public static AwsError Validation(string message) => new(AwsErrorTypes.Validation, message);

    public static AwsError NotFound(string message) => new(AwsErrorTypes.ResourceNotFound, message);
}

/// <summary>The error codes (<c>__type</c>) the management API answers.</summary>
public static class AwsErrorTypes
{
    public const string Validation = "ValidationException";
    public const string Serialization = "SerializationException";
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string LimitExceeded = "LimitExceededException";
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string IncompleteSignature = "IncompleteSignatureException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string InvalidSignature = "InvalidSignatureException";
    public const string AccessDenied = "AccessDeniedException";
    public const string UnknownOperation = "UnknownOperationException";
    public const string UnsupportedMediaType = "UnsupportedMediaTypeException";
    public const string RequestTooLarge = "RequestEntityTooLargeException";
    public const string InternalFailure = "InternalFailure";
    public const string ServiceUnavailable = "ServiceUnavailableException";
}
