using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Gateway.Engine.Aws;

namespace Gateway.Api.Clouds;

/// <summary>Gives the credentials a cloud's calls are signed with; may refresh them (temporary credentials).</summary>
internal interface ICloudCredentials
{
    /// <summary>What the cloud's listing shows about the credentials, never a secret.</summary>
    string Describe { get; }

    /// <exception cref="CloudCredentialsException">No credentials can be had.</exception>
    ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken);
}

internal sealed class CloudCredentialsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A fixed key pair (and session token) stored with the cloud.</summary>
internal sealed class StaticCloudCredentials(AwsCredentials credentials) : ICloudCredentials
{
    public string Describe => $"static key {credentials.AccessKeyId}{(credentials.SessionToken is null ? string.Empty : " with a session token")}";

    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
}

/// <summary>
/// The AWS SDK's own resolution (AWSSDK.Core): with no profile, its default chain (environment
/// variables, the shared config and credentials files' default profile, web identity, container and
/// instance metadata); with a profile, that profile of the shared files (or of <c>credentialsFile</c>),
/// including assume-role, web-identity, SSO and process profiles. The SDK caches and refreshes temporary credentials.
/// </summary>
internal sealed class ChainCloudCredentials(string? profileName, string? credentialsFile) : ICloudCredentials
{
    private readonly Lock _gate = new();
    private AWSCredentials? _resolved;

    public string Describe => profileName is null
        ? "the AWS SDK's default credential chain"
        : $"AWS profile '{profileName}'{(credentialsFile is null ? string.Empty : $" of {credentialsFile}")}";

    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var source = Resolve();
        ImmutableCredentials current;
        try
        {
            current = await source.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonClientException ex)
        {
            throw new CloudCredentialsException($"the credentials of {Describe} cannot be used: {ex.Message}", ex);
        }

        return new AwsCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
    }

    private AWSCredentials Resolve()
    {
        lock (_gate)
        {
            if (_resolved is not null)
            {
                return _resolved;
            }

            try
            {
                if (profileName is null)
                {
                    _resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
                }
                else
                {
                    var chain = credentialsFile is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(credentialsFile);
                    if (!chain.TryGetAWSCredentials(profileName, out var found))
                    {
                        throw new CloudCredentialsException($"no usable AWS profile '{profileName}' was found in {credentialsFile ?? "the shared config and credentials files (~/.aws/config, ~/.aws/credentials or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE)"}");
                    }

                    _resolved = found;
                }
            }
            catch (AmazonClientException ex)
            {
                throw new CloudCredentialsException($"the AWS SDK found no credentials ({Describe}): {ex.Message}", ex);
            }

            return _resolved;
        }
    }
}
