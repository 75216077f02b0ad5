using Gateway.Engine.Aws;

namespace Gateway.Api.Aws;

/// <summary>The parsed <c>Authorization</c> header of a SigV4 request.</summary>
/// <param name="AccessKeyId">The access key id of the credential scope; the caller looks its secret up.</param>
/// <param name="Date">The scope's date, <c>yyyyMMdd</c>.</param>
/// <param name="Region">The scope's region.</param>
/// <param name="Service">The scope's service signing name.</param>
/// <param name="SignedHeaders">The signed header names, lower case, in the order given.</param>
/// <param name="Signature">The signature sent, 64 lower-case hex digits.</param>
/// <param name="AmzDate">The <c>X-Amz-Date</c> value, <c>yyyyMMddTHHmmssZ</c>.</param>
/// <param name="SignedAt">The <c>X-Amz-Date</c> time, parsed.</param>
internal sealed record SigV4Credential(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    string AmzDate,
    DateTimeOffset SignedAt);
