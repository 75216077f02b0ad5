using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Data;
using Gateway.Api.Profiles;
using Gateway.Api.Tls;
using Gateway.Engine.Aws;
using Gateway.Engine.Relay;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Clouds;

/// <summary>
/// The clouds tunnels are opened on: the stored ones and <c>local</c>, this gateway's own relay
/// (always present, reached on its HTTPS address, trusting its own certificate, signed with
/// <see cref="GatewayCloudKey"/>). Secrets are encrypted here and nowhere else.
/// </summary>
internal sealed class CloudDirectory : IDisposable
{
    public const string LocalName = "local";

    /// <summary>The protector's purpose: changing it makes every stored secret unreadable.</summary>
    public const string Purpose = "TunnelGateway.Clouds.Secrets.v1";

    private readonly IDbContextFactory<GatewayDbContext> _contexts;
    private readonly BuiltInRelayEndpoint _relayEndpoint;
    private readonly GatewayCertificate _certificate;
    private readonly GatewayCloudKey _key;
    private readonly IOptions<RelayOptions> _relay;
    private readonly IDataProtector _protector;
    private readonly HttpClient _aws;
    private readonly Lazy<HttpClient> _local;
    private readonly Dictionary<string, (string Stamp, ICloudCredentials Credentials)> _chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HttpClient> _trusting = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public CloudDirectory(
        IDbContextFactory<GatewayDbContext> contexts,
        BuiltInRelayEndpoint relayEndpoint,
        GatewayCertificate certificate,
        GatewayCloudKey key,
        IOptions<RelayOptions> relay,
        IDataProtectionProvider protection)
    {
        _contexts = contexts;
        _relayEndpoint = relayEndpoint;
        _certificate = certificate;
        _key = key;
        _relay = relay;
        _protector = protection.CreateProtector(Purpose);
        _aws = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        _local = new Lazy<HttpClient>(() => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = IsGatewayCertificate },
        })
        { Timeout = Timeout.InfiniteTimeSpan });
    }

    /// <summary>AWS's management endpoint for a region (the <c>aws-cn</c> partition for <c>cn-*</c>).</summary>
    public static Uri AwsManagementEndpoint(string region) =>
        new($"https://api.tunneling.iot.{region}.amazonaws.com{(region.StartsWith("cn-", StringComparison.Ordinal) ? ".cn" : string.Empty)}/");

    /// <summary>AWS's data-plane host for a region, as sessions derive it.</summary>
    public static string AwsDataEndpoint(string region) =>
        $"data.tunneling.iot.{region}.amazonaws.com{(region.StartsWith("cn-", StringComparison.Ordinal) ? ".cn" : string.Empty)}";

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>The cloud named <paramref name="name"/> ready to call, or why not.</summary>
    public async Task<(ResolvedCloud? Cloud, string? Error)> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (name == LocalName)
        {
            return ResolveLocal();
        }

        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Clouds.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, cancellationToken);
        return entity is null ? (null, $"No cloud is named '{name}'.") : Resolve(entity);
    }

    public (ResolvedCloud? Cloud, string? Error) Resolve(CloudEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ICloudCredentials credentials;
        if (entity.CredentialSource == CloudRules.StaticSource)
        {
            string? secret = Unprotect(entity.ProtectedSecretAccessKey);
            if (entity.AccessKeyId is null || secret is null)
            {
                return (null, $"The secret access key of cloud '{entity.Name}' cannot be decrypted (the key ring in the data directory was lost or replaced): set the key again.");
            }

            string? token = entity.ProtectedSessionToken is null ? null : Unprotect(entity.ProtectedSessionToken);
            if (entity.ProtectedSessionToken is not null && token is null)
            {
                return (null, $"The session token of cloud '{entity.Name}' cannot be decrypted: set the key again.");
            }

            credentials = new StaticCloudCredentials(new AwsCredentials(entity.AccessKeyId, secret, token));
        }
        else
        {
            credentials = Chain(entity);
        }

        var management = entity.ManagementEndpoint is { } url ? new Uri(url) : AwsManagementEndpoint(entity.Region);
        return (new ResolvedCloud(entity.Name, entity.Region, management, entity.DataEndpoint, entity.CaPath, credentials, entity.CaPath is null ? _aws : Trusting(entity.CaPath)), null);
    }

    public void Dispose()
    {
        _aws.Dispose();
        foreach (var client in _trusting.Values)
        {
            client.Dispose();
        }

        if (_local.IsValueCreated)
        {
            _local.Value.Dispose();
        }
    }

    /// <summary>The cloud <c>local</c>, or why it cannot be used now.</summary>
    public (ResolvedCloud? Cloud, string? Error) ResolveLocal()
    {
        if (_relayEndpoint.Endpoint is not { } wss)
        {
            return (null, "The cloud 'local' is this gateway's relay, which has no HTTPS address (the gateway listens on HTTP only, or has not started yet).");
        }

        var management = new Uri("https://" + wss["wss://".Length..] + "/");
        return (new ResolvedCloud(LocalName, _relay.Value.Region, management, wss, _relayEndpoint.CaDirectory, new StaticCloudCredentials(_key.Credentials), _local.Value), null);
    }

    // A cloud with its own CA directory (the engine's reading of -c): the system's roots or those anchors.
    private HttpClient Trusting(string caPath)
    {
        lock (_gate)
        {
            if (_trusting.TryGetValue(caPath, out var existing))
            {
                return existing;
            }

            var anchors = Engine.Transport.CaDirectory.Load(caPath).Anchors;
            var client = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions =
                {
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                        errors == SslPolicyErrors.None
                        || (certificate is X509Certificate2 presented && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                            && Engine.Transport.CaDirectory.Validates(presented, chain, anchors)),
                },
            })
            { Timeout = Timeout.InfiniteTimeSpan };
            _trusting[caPath] = client;
            return client;
        }
    }

    // Chain credentials keep their SDK object (which caches and refreshes) while the cloud is unchanged.
    private ICloudCredentials Chain(CloudEntity entity)
    {
        string stamp = $"{entity.ProfileName}\n{entity.CredentialsFile}\n{entity.UpdatedAt.UtcTicks}";
        lock (_gate)
        {
            if (_chains.TryGetValue(entity.Name, out var cached) && cached.Stamp == stamp)
            {
                return cached.Credentials;
            }

            var created = new ChainCloudCredentials(entity.ProfileName, entity.CredentialsFile);
            _chains[entity.Name] = (stamp, created);
            return created;
        }
    }

    private string? Unprotect(string? protectedValue)
    {
        if (protectedValue is null)
        {
            return null;
        }

        try
        {
            return _protector.Unprotect(protectedValue);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    // The relay is this process: trust exactly the certificate it serves.
    private bool IsGatewayCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None
        || (certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
            && certificate.GetCertHash().AsSpan().SequenceEqual(_certificate.Certificate.GetCertHash()));
}
