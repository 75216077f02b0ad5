namespace Gateway.Engine.Aws;

/// <summary>
/// Signs an AWS JSON 1.1 request (POST with <c>X-Amz-Target</c>) the way botocore does: it signs
/// content-type, host, x-amz-date, x-amz-target and, with temporary credentials,
/// x-amz-security-token. Returns the headers to add.
/// </summary>
public static class SigV4Signer
{
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
