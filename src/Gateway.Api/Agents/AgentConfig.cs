using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Data;

namespace Gateway.Api.Agents;

/// <summary>An agent ready to connect: its stored settings with the secrets decrypted and the PEMs loaded.</summary>
internal sealed record AgentConfig(
    string Name,
    string ThingName,
    string Host,
    int Port,
    bool Tls,
    X509Certificate2Collection Anchors,
    string? CaPath,
    X509Certificate2? ClientCertificate,
    string? UserName,
    string? Password,
    string ClientId,
    string Services,
    string? DataEndpoint) : IDisposable
{
    public string Topic => AgentRules.NotifyTopic(ThingName);

    /// <summary>The agent as stored, decrypted; or why it cannot connect.</summary>
    public static (AgentConfig? Config, string? Error) From(AgentEntity entity, AgentSecrets secrets)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(secrets);
        var anchors = entity.CaPem is null ? [] : AgentTls.LoadCaBundle(entity.CaPem);
        if (entity.CaPath is { } directory)
        {
            anchors.AddRange(Engine.Transport.CaDirectory.Load(directory).Anchors);
        }

        X509Certificate2? certificate = null;
        string? certificatePem = secrets.Unprotect(entity.ProtectedClientCertificate, out bool badCertificate);
        string? keyPem = secrets.Unprotect(entity.ProtectedClientKey, out bool badKey);
        string? password = secrets.Unprotect(entity.ProtectedPassword, out bool badPassword);
        if (badCertificate || badKey || badPassword)
        {
            return (null, "its certificate, key or password cannot be decrypted (the key ring in the data directory was lost or replaced): set them again");
        }

        if (certificatePem is not null && keyPem is not null)
        {
            (certificate, var problem) = AgentTls.LoadClientCertificate(certificatePem, keyPem);
            if (problem is not null)
            {
                return (null, $"its client certificate cannot be used: {problem}");
            }
        }

        return (new AgentConfig(entity.Name, entity.ThingName, entity.Host, entity.Port, entity.UseTls, anchors, entity.CaPath, certificate,
            entity.UserName, password, entity.ClientId ?? entity.ThingName, entity.Services, entity.DataEndpoint), null);
    }

    public void Dispose() => ClientCertificate?.Dispose();
}
