namespace Gateway.Api.Data;

/// <summary>
/// Where the gateway opens tunnels: an AWS account and region (or a compatible endpoint such as
/// another gateway's relay). A static secret and session token are stored encrypted (Data Protection).
/// </summary>
public sealed class CloudEntity
{
    /// <summary>The cloud's name: lower-case letters, digits and '-' (<c>local</c> is reserved).</summary>
    public string Name { get; set; } = string.Empty;

    public string? Description { get; set; }

    public string Region { get; set; } = string.Empty;

    /// <summary>The management API's URL; null: AWS's regional endpoint.</summary>
    public string? ManagementEndpoint { get; set; }

    /// <summary>The data plane (tunnel WebSocket) endpoint; null: AWS's, from the region.</summary>
    public string? DataEndpoint { get; set; }

    /// <summary>A directory of extra trusted CA certificates (PEM or DER) for both endpoints, e.g. a VPC endpoint's private CA; null: the system's.</summary>
    public string? CaPath { get; set; }

    /// <summary><c>chain</c> (the AWS SDK's default credential chain or a named profile) or <c>static</c>.</summary>
    public string CredentialSource { get; set; } = "chain";

    /// <summary>Chain: the profile of the shared config and credentials files; null: the SDK's default resolution.</summary>
    public string? ProfileName { get; set; }

    /// <summary>Chain with a profile: a shared credentials file other than the default one.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Static: the access key id (not secret).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Static: the secret access key, protected with Data Protection.</summary>
    public string? ProtectedSecretAccessKey { get; set; }

    /// <summary>Static, temporary credentials: the session token, protected with Data Protection.</summary>
    public string? ProtectedSessionToken { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
