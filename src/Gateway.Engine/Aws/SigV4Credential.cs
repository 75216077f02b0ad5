namespace Gateway.Engine.Aws;

/// <summary>The parsed <c>Authorization</c> header of a SigV4 request.</summary>
public sealed record SigV4Credential(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    string AmzDate,
    DateTimeOffset SignedAt);
