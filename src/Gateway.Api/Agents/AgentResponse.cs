namespace Gateway.Api.Agents;

/// <summary>An agent as listed: never its key, certificate or password; the certificate's subject, expiry and thumbprint instead.</summary>
internal sealed record AgentResponse(
    string Name,
    string? Description,
    string ThingName,
    string Topic,
    string Host,
    int Port,
    bool Tls,
    bool HasCaPem,
    string? CaPath,
    bool HasClientCertificate,
    string? CertificateSubject,
    DateTimeOffset? CertificateNotAfter,
    string? CertificateThumbprint,
    string? UserName,
    bool HasPassword,
    string ClientId,
    string Services,
    string? DataEndpoint,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    AgentStatus Status);
