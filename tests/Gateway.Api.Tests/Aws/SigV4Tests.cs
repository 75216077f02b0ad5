using System.Text;
using Gateway.Api.Aws;
using Gateway.Engine.Aws;

namespace Gateway.Api.Tests.Aws;

public sealed class SigV4Tests
{
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void GetVanillaFromAwsTestSuiteSignsAsPublished()
    {
        // AWS's SigV4 test suite, "get-vanilla": GET / with host and x-amz-date signed.
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };
        var canonical = SigV4.CanonicalRequest("GET", "/", string.Empty, ["host", "x-amz-date"], name => headers.GetValueOrDefault(name), []);
        var toSign = SigV4.StringToSign("20150830T123600Z", SigV4.Scope("20150830", "us-east-1", "service"), canonical);
        var signature = SigV4.Signature(SigV4.SigningKey(ExampleSecret, "20150830", "us-east-1", "service"), toSign);
        Assert.Equal("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", signature);
    }

    private const string SuiteSessionToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    /// <summary>
    /// More cases of AWS's SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30, key AKIDEXAMPLE, region
    /// us-east-1, service "service"): the published signatures, which botocore 1.43 computes too.
    /// </summary>
    [Theory]
    [InlineData("post-vanilla", "POST", "", "", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "Param2=value2&Param1=value1", "", "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("post-x-www-form-urlencoded", "POST", "", "application/x-www-form-urlencoded", "Param1=value1", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")]
    [InlineData("post-sts-header-before", "POST", "", "", "", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")]
    public void TestSuiteCasesSignAsPublished(string name, string method, string query, string contentType, string body, string expected)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };
        if (contentType.Length > 0)
        {
            headers["content-type"] = contentType;
        }

        if (name.StartsWith("post-sts", StringComparison.Ordinal))
        {
            headers["x-amz-security-token"] = SuiteSessionToken;
        }

        var canonical = SigV4.CanonicalRequest(method, "/", query, [.. headers.Keys], header => headers.GetValueOrDefault(header), Encoding.UTF8.GetBytes(body));
        var toSign = SigV4.StringToSign("20150830T123600Z", SigV4.Scope("20150830", "us-east-1", "service"), canonical);
        Assert.Equal(expected, SigV4.Signature(SigV4.SigningKey(ExampleSecret, "20150830", "us-east-1", "service"), toSign));
    }

    [Fact]
    public void CanonicalRequestOfTheCliOpenTunnelMatchesTheCapturedOne()
    {
        // ../shared/aws-management-api.md section 6: the canonical request the CLI signed.
        var body = Encoding.UTF8.GetBytes("{\"destinationConfig\": {\"thingName\": \"thing1\", \"services\": [\"SSH\"]}}");
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = "127.0.0.1:18401",
            ["x-amz-date"] = "20261125T040234Z",
            ["x-amz-target"] = "IoTSecuredTunneling.OpenTunnel",
        };
        var canonical = SigV4.CanonicalRequest("POST", "/", string.Empty, ["content-type", "host", "x-amz-date", "x-amz-target"], name => headers.GetValueOrDefault(name), body);
        Assert.Equal(
            "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:18401\nx-amz-date:20261125T040234Z\nx-amz-target:IoTSecuredTunneling.OpenTunnel\n\n"
            + "content-type;host;x-amz-date;x-amz-target\na2d2ea91c44d047bf671d9a133b403bcf98376c5db36b16a2d2b30c0d882d8f8",
            canonical);
    }

    [Theory]
    [InlineData("  a   b  ", "a b")]
    [InlineData("a\tb", "a b")]
    [InlineData("plain", "plain")]
    public void HeaderValuesAreTrimmedAndSpacesCollapsed(string raw, string canonical) =>
        Assert.Equal(canonical, SigV4.CanonicalHeaderValue(raw));
}

public sealed class SigV4SignerTests
{
    [Fact]
    public void SignsLikeBotocore()
    {
        // The same request botocore 1.43 signed (see SigV4VerifierTests): same Authorization header.
        var body = System.Text.Encoding.UTF8.GetBytes("{\"description\": \"test tunnel\", \"tags\": [{\"key\": \"env\", \"value\": \"dev\"}], \"destinationConfig\": {\"thingName\": \"thing1\", \"services\": [\"SSH\", \"RDP\"]}, \"timeoutConfig\": {\"maxLifetimeTimeoutMinutes\": 60}}");
        var headers = SigV4Signer.SignJson(
            new Uri("https://127.0.0.1:18401/"), "IoTSecuredTunneling.OpenTunnel", "application/x-amz-json-1.1", body,
            new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "us-east-1", "IoTSecuredTunneling",
            new DateTimeOffset(2026, 12, 3, 8, 56, 23, TimeSpan.Zero));
        Assert.Equal("20261203T085623Z", headers.Single(h => h.Key == "X-Amz-Date").Value);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/us-east-1/IoTSecuredTunneling/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5ad8af228b1abb4b9aed269785daa51bfc2744352a7a26aadc47515fbd9ebb20",
            headers.Single(h => h.Key == "Authorization").Value);
    }

    [Fact]
    public void TemporaryCredentialsSignTheSessionToken()
    {
        var headers = SigV4Signer.SignJson(
            new Uri("https://127.0.0.1:18401/"), "IoTSecuredTunneling.ListTunnels", "application/x-amz-json-1.1", "{}"u8,
            new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FQoGZXIvYXdzEXAMPLETOKEN"), "eu-west-1", "IoTSecuredTunneling",
            new DateTimeOffset(2026, 12, 3, 8, 56, 23, TimeSpan.Zero));
        Assert.EndsWith("Signature=f91eafc69ab23ec15ce8b4f6174817c769ad3ecc60a3e8344ac7b8b3b512ae84", headers.Single(h => h.Key == "Authorization").Value, StringComparison.Ordinal);
        Assert.Equal("FQoGZXIvYXdzEXAMPLETOKEN", headers.Single(h => h.Key == "X-Amz-Security-Token").Value);
    }
}
