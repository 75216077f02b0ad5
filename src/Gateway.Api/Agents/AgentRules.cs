using Gateway.Api.Clouds;
using Gateway.Api.Data;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Agents;

/// <summary>What an agent's fields may hold, each error naming its field; and the checked values ready to store.</summary>
internal static class AgentRules
{
    /// <summary>The <c>dataEndpoint</c> that means this gateway's own relay.</summary>
    public const string LocalDataEndpoint = "local";

    public const int DefaultTlsPort = 8883;
    public const int DefaultPlainPort = 1883;

    private const int MaxPemLength = 60000;

    /// <summary>The topic AWS IoT Secure Tunneling publishes a thing's destination token to.</summary>
    public static string NotifyTopic(string thingName) => $"$aws/things/{thingName}/tunnels/notify";

    /// <summary>Checks <paramref name="body"/> against the stored agent (for write-only fields kept as they are); errors go to <paramref name="errors"/>.</summary>
    public static CheckedAgent Check(AgentBody body, AgentEntity? existing, AgentSecrets secrets, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(body);
        void Error(string field, string message) => errors[field] = [message];
        string thing = body.ThingName?.Trim() ?? string.Empty;
        if (!CloudRules.Identifier().IsMatch(thing))
        {
            Error("thingName", "thingName is required: 1 to 128 of letters, digits, ':', '_' and '-', as AWS IoT names things.");
        }

        string host = body.Host?.Trim() ?? string.Empty;
        if (host.Length is 0 or > 253 || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            Error("host", "host is required: the MQTT broker's host name or IP address, e.g. abc123-ats.iot.eu-west-1.amazonaws.com (AWS IoT Core's device data endpoint) or 127.0.0.1.");
        }

        bool tls = body.Tls ?? true;
        int port = body.Port ?? (tls ? DefaultTlsPort : DefaultPlainPort);
        if (port is < 1 or > 65535)
        {
            Error("port", "port is 1 to 65535 (default 8883 with TLS, 1883 without).");
        }

        string? caPem = string.IsNullOrWhiteSpace(body.CaPem) ? null : body.CaPem.Trim();
        if (caPem is not null)
        {
            if (!tls)
            {
                Error("caPem", "caPem is for a TLS connection: set tls to true or leave caPem out.");
            }
            else if (caPem.Length > MaxPemLength || AgentTls.LoadCaBundle(caPem).Count == 0)
            {
                Error("caPem", "caPem must hold PEM certificates (-----BEGIN CERTIFICATE-----), e.g. AmazonRootCA1.pem, at most 60000 characters.");
            }
        }

        string? caPath = string.IsNullOrWhiteSpace(body.CaPath) ? null : body.CaPath;
        if (caPath is not null && (!Path.IsPathFullyQualified(caPath) || !Directory.Exists(caPath)))
        {
            Error("caPath", $"caPath must be an existing directory, given as an absolute path; '{caPath}' is not one.");
        }

        // The certificate and its key: both, neither (keep the stored pair), or both "" (remove it).
        var keep = CertificateChange.Keep;
        if (body.ClientCertificatePem is not null || body.ClientKeyPem is not null)
        {
            if (body.ClientCertificatePem is "" && body.ClientKeyPem is "" or null)
            {
                keep = CertificateChange.Remove;
            }
            else if (string.IsNullOrWhiteSpace(body.ClientCertificatePem))
            {
                Error("clientCertificatePem", "clientCertificatePem is required with clientKeyPem: the thing's certificate (PEM).");
            }
            else if (string.IsNullOrWhiteSpace(body.ClientKeyPem))
            {
                Error("clientKeyPem", "clientKeyPem is required with clientCertificatePem: the certificate's private key (PEM).");
            }
            else if (body.ClientCertificatePem.Length > MaxPemLength || body.ClientKeyPem.Length > MaxPemLength)
            {
                Error("clientCertificatePem", "clientCertificatePem and clientKeyPem are at most 60000 characters each.");
            }
            else if (!tls)
            {
                Error("clientCertificatePem", "A client certificate is presented in the TLS handshake: set tls to true.");
            }
            else
            {
                var (certificate, problem) = AgentTls.LoadClientCertificate(body.ClientCertificatePem, body.ClientKeyPem);
                certificate?.Dispose();
                if (problem is not null)
                {
                    Error("clientKeyPem", $"clientCertificatePem and clientKeyPem must be a PEM certificate and its own private key (unencrypted): {problem}");
                }
                else
                {
                    keep = CertificateChange.Replace;
                }
            }
        }

        string? user = string.IsNullOrEmpty(body.UserName) ? null : body.UserName;
        if (user is { Length: > 256 } || (user?.Any(char.IsControl) ?? false))
        {
            Error("userName", "userName is at most 256 characters, without control characters.");
        }

        bool keepsPassword = body.Password is null && user is not null && existing is { ProtectedPassword: not null } && existing.UserName == user;
        if (body.Password is { Length: > 4096 })
        {
            Error("password", "password is at most 4096 characters.");
        }
        else if (body.Password is { Length: > 0 } && user is null)
        {
            Error("password", "password needs userName.");
        }

        string? clientId = string.IsNullOrWhiteSpace(body.ClientId) ? null : body.ClientId.Trim();
        if (clientId is not null && (clientId.Length > 128 || clientId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '+' or '#' or '/')))
        {
            Error("clientId", "clientId is 1 to 128 characters without spaces, '+', '#' or '/' (default: the thing name).");
        }

        string services = body.Services?.Trim() ?? string.Empty;
        if (services.Length == 0)
        {
            Error("services", "services is required: the destination service map, e.g. SSH=127.0.0.1:22,WEB=10.0.0.7:80 (or a single 127.0.0.1:22).");
        }
        else
        {
            var mapErrors = new List<SpecError>();
            var mapped = ServiceMapParser.Parse(services, SessionMode.Destination, "services", mapErrors);
            if (mapErrors.Count > 0)
            {
                errors["services"] = [.. mapErrors.Select(e => e.Message).Distinct(StringComparer.Ordinal)];
            }
            else if (mapped.Count == 0)
            {
                Error("services", "services maps no service.");
            }
            else if (mapped.Count < services.Split(',').Length)
            {
                // The parser keeps the first of entries sharing an id; an agent's map must be unambiguous.
                Error("services", "services names a service twice: give each service one endpoint.");
            }
        }

        string? data = string.IsNullOrWhiteSpace(body.DataEndpoint) ? null : body.DataEndpoint.Trim();
        if (data is not null && data != LocalDataEndpoint && (data.Length > 2048 || data.Any(char.IsWhiteSpace)))
        {
            Error("dataEndpoint", "dataEndpoint is local (this gateway's relay), a wss:// URL or host[:port], without spaces.");
        }

        if (body.Description is { Length: > 1024 })
        {
            Error("description", "description is at most 1024 characters.");
        }

        return new CheckedAgent(body, thing, host, port, tls, caPem, caPath, keep, user, keepsPassword, clientId, services, data);
    }

    /// <summary>What happens to the stored client certificate and key.</summary>
    internal enum CertificateChange
    {
        Keep,
        Replace,
        Remove,
    }

    /// <summary>A body that passed <see cref="Check"/>, normalised.</summary>
    internal sealed record CheckedAgent(
        AgentBody Body, string ThingName, string Host, int Port, bool Tls, string? CaPem, string? CaPath,
        CertificateChange Certificate, string? UserName, bool KeepsPassword, string? ClientId, string Services, string? DataEndpoint)
    {
        public void ApplyTo(AgentEntity entity, AgentSecrets secrets)
        {
            entity.Description = string.IsNullOrWhiteSpace(Body.Description) ? null : Body.Description.Trim();
            entity.ThingName = ThingName;
            entity.Host = Host;
            entity.Port = Port;
            entity.UseTls = Tls;
            entity.CaPem = CaPem;
            entity.CaPath = CaPath;
            if (Certificate == CertificateChange.Replace)
            {
                entity.ProtectedClientCertificate = secrets.Protect(Body.ClientCertificatePem!);
                entity.ProtectedClientKey = secrets.Protect(Body.ClientKeyPem!);
            }
            else if (Certificate == CertificateChange.Remove || !Tls)
            {
                entity.ProtectedClientCertificate = null;
                entity.ProtectedClientKey = null;
            }

            entity.UserName = UserName;
            if (!KeepsPassword)
            {
                entity.ProtectedPassword = UserName is not null && !string.IsNullOrEmpty(Body.Password) ? secrets.Protect(Body.Password) : null;
            }

            entity.ClientId = ClientId;
            entity.Services = Services;
            entity.DataEndpoint = DataEndpoint;
            entity.Enabled = Body.Enabled ?? true;
        }
    }
}
