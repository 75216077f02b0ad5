using System.Security.Cryptography;
using System.Text;

using Gateway.Engine.Aws;

namespace Gateway.Api.Aws;

/// <summary>
/// Checks SigV4-signed requests as AWS does (docs/aws-api.md, "Authentication"), in two steps so the
/// caller can look the access key up in between: <see cref="Parse"/> reads and checks everything
/// that needs no secret, <see cref="Verify"/> recomputes the signature with the key's secret and
/// compares it in constant time. Failures carry AWS's error codes and a message saying what is wrong.
/// </summary>
internal sealed class SigV4Verifier(string service, string region, TimeSpan clockSkew)
{
    private static readonly string[] RequiredSigned = ["host", "x-amz-date"];

    /// <summary>The signing name a credential's scope must name, <c>IoTSecuredTunneling</c> for the management API.</summary>
    public string Service { get; } = service;

    /// <summary>The region a credential's scope must name: the relay's region.</summary>
    public string Region { get; } = region;

    /// <summary>How far <c>X-Amz-Date</c> may be from the verifier's clock, before or after; a signature outside it has expired or is not yet current.</summary>
    public TimeSpan ClockSkew { get; } = clockSkew;

    /// <summary>Reads the Authorization header and checks scope, date, skew and signed headers.</summary>
    public (SigV4Credential? Credential, AwsError? Error) Parse(SignedRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Header("authorization");
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return Fail(new AwsError(AwsErrorTypes.MissingAuthenticationToken, "Missing Authentication Token: sign the request with AWS Signature Version 4 (an access key from the gateway's AWS keys page).", 403));
        }

        if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            return Incomplete($"Authorization header must start with '{SigV4.Algorithm} ': only Signature Version 4 is supported.");
        }

        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[(SigV4.Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return Incomplete($"Authorization header has a malformed element '{part}': expected name=value.");
            }

            parts[part[..eq]] = part[(eq + 1)..];
        }

        foreach (var name in new[] { "Credential", "SignedHeaders", "Signature" })
        {
            if (!parts.ContainsKey(name) || parts[name].Length == 0)
            {
                return Incomplete($"Authorization header requires '{name}' parameter.");
            }
        }

        var scope = parts["Credential"].Split('/');
        if (scope.Length != 5 || scope[4] != SigV4.Terminator || scope[0].Length == 0)
        {
            return Incomplete($"Credential '{parts["Credential"]}' is malformed: expected <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request.");
        }

        var signature = parts["Signature"];
        if (signature.Length != 64 || !signature.All(Uri.IsHexDigit))
        {
            return Incomplete("Signature must be 64 hexadecimal characters.");
        }

        var amzDate = request.Header("x-amz-date");
        if (amzDate is null)
        {
            return Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header; this relay reads X-Amz-Date.");
        }

        if (!SigV4.TryParseDate(amzDate, out var signedAt))
        {
            return Incomplete($"X-Amz-Date '{amzDate}' is not in the format yyyyMMddTHHmmssZ.");
        }

        if (!string.Equals(scope[1], amzDate[..8], StringComparison.Ordinal))
        {
            return Invalid($"Credential should be scoped to a valid date: the credential date {scope[1]} does not match X-Amz-Date {amzDate}.");
        }

        if (!string.Equals(scope[3], Service, StringComparison.Ordinal))
        {
            return Invalid($"Credential should be scoped to correct service: '{Service}'.");
        }

        if (!string.Equals(scope[2], Region, StringComparison.Ordinal))
        {
            return Invalid($"Credential should be scoped to a valid region: this relay's region is '{Region}', the request was signed for '{scope[2]}'.");
        }

        if (signedAt < now - ClockSkew)
        {
            return Invalid($"Signature expired: {amzDate} is now earlier than {SigV4.FormatDate(now - ClockSkew)} ({SigV4.FormatDate(now)} - {ClockSkew.TotalMinutes:0} min.)");
        }

        if (signedAt > now + ClockSkew)
        {
            return Invalid($"Signature not yet current: {amzDate} is still later than {SigV4.FormatDate(now + ClockSkew)} ({SigV4.FormatDate(now)} + {ClockSkew.TotalMinutes:0} min.)");
        }

        var signed = parts["SignedHeaders"].Split(';');
        if (signed.Any(h => h.Length == 0 || !string.Equals(h, h.ToLowerInvariant(), StringComparison.Ordinal)))
        {
            return Incomplete($"SignedHeaders '{parts["SignedHeaders"]}' must be lower-case header names separated by ';'.");
        }

        var required = request.Header("x-amz-target") is null ? RequiredSigned : [.. RequiredSigned, "x-amz-target"];
        if (request.Header("x-amz-security-token") is not null)
        {
            required = [.. required, "x-amz-security-token"];
        }

        foreach (var name in required)
        {
            if (!signed.Contains(name, StringComparer.Ordinal))
            {
                return Invalid($"The '{name}' header must be signed (SignedHeaders is '{parts["SignedHeaders"]}').");
            }
        }

        foreach (var name in signed)
        {
            if (request.Header(name) is null)
            {
                return Invalid($"The signed header '{name}' is missing from the request.");
            }
        }

        return (new SigV4Credential(scope[0], scope[1], scope[2], scope[3], signed, signature.ToLowerInvariant(), amzDate, signedAt), null);
    }

    /// <summary>Recomputes the signature with <paramref name="secret"/>; null when it matches.</summary>
    public static AwsError? Verify(SignedRequest request, SigV4Credential credential, string secret)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credential);
        var canonical = SigV4.CanonicalRequest(request.Method, request.Path, request.Query, credential.SignedHeaders, request.Header, request.Body.Span);
        var stringToSign = SigV4.StringToSign(credential.AmzDate, SigV4.Scope(credential.Date, credential.Region, credential.Service), canonical);
        var expected = SigV4.Signature(SigV4.SigningKey(secret, credential.Date, credential.Region, credential.Service), stringToSign);
        bool match = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credential.Signature));
        return match
            ? null
            : new AwsError(AwsErrorTypes.InvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    private static (SigV4Credential?, AwsError?) Fail(AwsError error) => (null, error);

    private static (SigV4Credential?, AwsError?) Incomplete(string message) => Fail(new AwsError(AwsErrorTypes.IncompleteSignature, message));

    private static (SigV4Credential?, AwsError?) Invalid(string message) => Fail(new AwsError(AwsErrorTypes.InvalidSignature, message));
}
