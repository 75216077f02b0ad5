using System.Text;
using Gateway.Api.Aws;
using Gateway.Engine.Aws;

namespace Gateway.Api.Tests.Aws;

/// <summary>
/// Requests signed by botocore 1.43 (the AWS CLI v1's signer) with the documentation's example
/// key, checked by our verifier, then each part tampered with.
/// </summary>
public sealed class SigV4VerifierTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string OpenBody = "{\"description\": \"test tunnel\", \"tags\": [{\"key\": \"env\", \"value\": \"dev\"}], \"destinationConfig\": {\"thingName\": \"thing1\", \"services\": [\"SSH\", \"RDP\"]}, \"timeoutConfig\": {\"maxLifetimeTimeoutMinutes\": 60}}";
    private const string OpenAuthorization = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/us-east-1/IoTSecuredTunneling/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5ad8af228b1abb4b9aed269785daa51bfc2744352a7a26aadc47515fbd9ebb20";
    private const string ListAuthorization = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/eu-west-1/IoTSecuredTunneling/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=f91eafc69ab23ec15ce8b4f6174817c769ad3ecc60a3e8344ac7b8b3b512ae84";
    private static readonly DateTimeOffset SignedAt = new(2026, 12, 3, 8, 56, 23, TimeSpan.Zero);

    private static Dictionary<string, string> OpenHeaders() => new()
    {
        ["authorization"] = OpenAuthorization,
        ["content-type"] = "application/x-amz-json-1.1",
        ["host"] = "127.0.0.1:18401",
        ["x-amz-date"] = "20261203T085623Z",
        ["x-amz-target"] = "IoTSecuredTunneling.OpenTunnel",
    };

    private static SignedRequest Request(Dictionary<string, string> headers, string body = OpenBody, string path = "/") =>
        new("POST", path, string.Empty, name => headers.GetValueOrDefault(name), Encoding.UTF8.GetBytes(body));

    private static AwsError? Check(SignedRequest request, string region = "us-east-1", DateTimeOffset? now = null, string secret = Secret)
    {
        var verifier = new SigV4Verifier("IoTSecuredTunneling", region, TimeSpan.FromMinutes(5));
        var (credential, error) = verifier.Parse(request, now ?? SignedAt.AddSeconds(30));
        return error ?? SigV4Verifier.Verify(request, credential!, secret);
    }

    [Fact]
    public void BotocoreSignaturesVerify()
    {
        Assert.Null(Check(Request(OpenHeaders())));

        var list = new Dictionary<string, string>
        {
            ["authorization"] = ListAuthorization,
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = "127.0.0.1:18401",
            ["x-amz-date"] = "20261203T085623Z",
            ["x-amz-security-token"] = "FQoGZXIvYXdzEXAMPLETOKEN",
            ["x-amz-target"] = "IoTSecuredTunneling.ListTunnels",
        };
        Assert.Null(Check(Request(list, "{}"), region: "eu-west-1"));
    }

    [Fact]
    public void AParsedCredentialNamesTheKeyAndScope()
    {
        var (credential, error) = new SigV4Verifier("IoTSecuredTunneling", "us-east-1", TimeSpan.FromMinutes(5)).Parse(Request(OpenHeaders()), SignedAt);
        Assert.Null(error);
        Assert.Equal("AKIAIOSFODNN7EXAMPLE", credential!.AccessKeyId);
        Assert.Equal(["content-type", "host", "x-amz-date", "x-amz-target"], credential.SignedHeaders);
    }

    [Fact]
    public void TamperedBodyIsAnInvalidSignature() =>
        AssertError(Check(Request(OpenHeaders(), OpenBody.Replace("60", "61", StringComparison.Ordinal))), AwsErrorTypes.InvalidSignature, "does not match");

    [Fact]
    public void ReserialisedBodyIsAnInvalidSignature() =>
        AssertError(Check(Request(OpenHeaders(), OpenBody.Replace(": ", ":", StringComparison.Ordinal))), AwsErrorTypes.InvalidSignature, "does not match");

    [Fact]
    public void TamperedHostIsAnInvalidSignature()
    {
        var headers = OpenHeaders();
        headers["host"] = "127.0.0.1:18402";
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "does not match");
    }

    [Fact]
    public void TamperedTargetIsAnInvalidSignature()
    {
        var headers = OpenHeaders();
        headers["x-amz-target"] = "IoTSecuredTunneling.CloseTunnel";
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "does not match");
    }

    [Fact]
    public void WrongSecretIsAnInvalidSignature() =>
        AssertError(Check(Request(OpenHeaders()), secret: Secret + "x"), AwsErrorTypes.InvalidSignature, "does not match");

    [Fact]
    public void DateNotMatchingTheCredentialIsRefused()
    {
        var headers = OpenHeaders();
        headers["x-amz-date"] = "20261204T085623Z";
        AssertError(Check(Request(headers), now: SignedAt.AddDays(1)), AwsErrorTypes.InvalidSignature, "valid date");
    }

    [Fact]
    public void AnotherRegionIsRefused() =>
        AssertError(Check(Request(OpenHeaders()), region: "eu-west-1"), AwsErrorTypes.InvalidSignature, "valid region");

    [Fact]
    public void AnotherServiceIsRefused()
    {
        var headers = OpenHeaders();
        headers["authorization"] = OpenAuthorization.Replace("IoTSecuredTunneling", "IoTSecureTunneling", StringComparison.Ordinal);
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "correct service: 'IoTSecuredTunneling'");
    }

    [Fact]
    public void SignedHeadersWithoutHostOrTargetAreRefused()
    {
        var headers = OpenHeaders();
        headers["authorization"] = OpenAuthorization.Replace("content-type;host;x-amz-date;x-amz-target", "content-type;x-amz-date;x-amz-target", StringComparison.Ordinal);
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "'host' header must be signed");
        headers["authorization"] = OpenAuthorization.Replace("content-type;host;x-amz-date;x-amz-target", "content-type;host;x-amz-date", StringComparison.Ordinal);
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "'x-amz-target' header must be signed");
    }

    [Fact]
    public void AnUnsignedSessionTokenIsRefused()
    {
        var headers = OpenHeaders();
        headers["x-amz-security-token"] = "token";
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "'x-amz-security-token' header must be signed");
    }

    [Fact]
    public void ASignedHeaderMissingFromTheRequestIsRefused()
    {
        var headers = OpenHeaders();
        headers.Remove("content-type");
        AssertError(Check(Request(headers)), AwsErrorTypes.InvalidSignature, "'content-type' is missing");
    }

    [Fact]
    public void SkewOutsideTheWindowIsRefusedBothWays()
    {
        AssertError(Check(Request(OpenHeaders()), now: SignedAt.AddMinutes(6)), AwsErrorTypes.InvalidSignature, "Signature expired");
        AssertError(Check(Request(OpenHeaders()), now: SignedAt.AddMinutes(-6)), AwsErrorTypes.InvalidSignature, "not yet current");
        Assert.Null(Check(Request(OpenHeaders()), now: SignedAt.AddMinutes(4)));
    }

    [Fact]
    public void MissingAuthorizationIsMissingAuthenticationToken()
    {
        var headers = OpenHeaders();
        headers.Remove("authorization");
        var error = Check(Request(headers));
        AssertError(error, AwsErrorTypes.MissingAuthenticationToken, "Missing Authentication Token");
        Assert.Equal(403, error!.Status);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00", "only Signature Version 4")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=5ad8af228b1abb4b9aed269785daa51bfc2744352a7a26aadc47515fbd9ebb20", "'Credential'")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/IoTSecuredTunneling, SignedHeaders=host;x-amz-date, Signature=5ad8af228b1abb4b9aed269785daa51bfc2744352a7a26aadc47515fbd9ebb20", "malformed")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/IoTSecuredTunneling/aws4_request, SignedHeaders=host;x-amz-date, Signature=xyz", "64 hexadecimal")]
    public void MalformedAuthorizationIsAnIncompleteSignature(string authorization, string message)
    {
        var headers = OpenHeaders();
        headers["authorization"] = authorization;
        AssertError(Check(Request(headers)), AwsErrorTypes.IncompleteSignature, message);
    }

    private static void AssertError(AwsError? error, string type, string message)
    {
        Assert.NotNull(error);
        Assert.Equal(type, error.Type);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
