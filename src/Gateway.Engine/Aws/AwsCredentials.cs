namespace Gateway.Engine.Aws;

/// <summary>An access key pair, and the session token of temporary credentials.</summary>
/// <param name="AccessKeyId">The access key id, such as <c>AKIA...</c>; not secret, it names the key.</param>
/// <param name="SecretAccessKey">The secret the signature is computed with; never logged.</param>
/// <param name="SessionToken">The session token of temporary credentials, sent as <c>X-Amz-Security-Token</c>; null for a long-term key.</param>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Never the secret or the token.</summary>
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
