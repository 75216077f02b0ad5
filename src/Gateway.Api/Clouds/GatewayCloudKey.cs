using Gateway.Api.Aws;
using Gateway.Engine.Aws;

namespace Gateway.Api.Clouds;

/// <summary>
/// The key the gateway signs its calls to its own relay with (the cloud <c>local</c>): made at start,
/// held only in memory, and known to the management endpoint as the gateway itself, with an
/// operator's rights. Calls to <c>local</c> are thereby signed and checked exactly as calls to AWS are.
/// </summary>
internal sealed class GatewayCloudKey
{
    public const string CallerName = "gateway";

    public GatewayCloudKey()
    {
        var (id, secret) = AwsAccessKeys.Generate();
        Credentials = new AwsCredentials(id, secret);
    }

    public AwsCredentials Credentials { get; }

    public bool Is(string accessKeyId) => string.Equals(accessKeyId, Credentials.AccessKeyId, StringComparison.Ordinal);
}
