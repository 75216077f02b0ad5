using Gateway.Engine.Aws;

namespace Gateway.Api.Aws;

/// <summary>
/// Signs an AWS JSON 1.1 request (POST with <c>X-Amz-Target</c>) the way botocore does: it signs
/// content-type, host, x-amz-date, x-amz-target and, with temporary credentials,
/// x-amz-security-token. Returns the headers to add.
/// </summary>
internal static class SigV4Signer
{
    /// <summary>Signs one POST of <paramref name="body"/> to <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The URL the request goes to; its host (with the port unless it is the default), path and query are signed.</param>
    /// <param name="target">The <c>X-Amz-Target</c> value, such as <c>IoTSecuredTunneling.OpenTunnel</c>.</param>
    /// <param name="contentType">The <c>Content-Type</c> the request will carry, such as <c>application/x-amz-json-1.1</c>.</param>
    /// <param name="body">The exact body bytes that will be sent.</param>
    /// <param name="credentials">The access key and secret; with a session token the request is signed for temporary credentials.</param>
    /// <param name="region">The region of the signing scope, such as <c>us-east-1</c>.</param>
    /// <param name="service">The signing name of the service, <c>IoTSecuredTunneling</c> for secure tunneling.</param>
    /// <param name="now">The signing time, written to <c>X-Amz-Date</c>; the receiver refuses it outside its clock skew.</param>
    /// <returns><c>X-Amz-Date</c>, <c>Authorization</c> and, with a session token, <c>X-Amz-Security-Token</c>.
    /// The caller sends the content type, host and target headers itself, with the values signed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> or <paramref name="credentials"/> is null.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> SignJson(
        Uri endpoint, string target, string contentType, ReadOnlySpan<byte> body, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        string amzDate = SigV4.FormatDate(now);
        string date = amzDate[..8];
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = contentType,
            ["host"] = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = target,
        };
        if (credentials.SessionToken is { } token)
        {
            headers["x-amz-security-token"] = token;
        }

        var signed = headers.Keys.ToList();
        var canonical = SigV4.CanonicalRequest("POST", endpoint.AbsolutePath, endpoint.Query, signed, name => headers.GetValueOrDefault(name), body);
        string scope = SigV4.Scope(date, region, service);
        string signature = SigV4.Signature(SigV4.SigningKey(credentials.SecretAccessKey, date, region, service), SigV4.StringToSign(amzDate, scope, canonical));
        var result = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Date", amzDate),
            new("Authorization", $"{SigV4.Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}"),
        };
        if (credentials.SessionToken is { } sessionToken)
        {
            result.Add(new("X-Amz-Security-Token", sessionToken));
        }

        return result;
    }
}
