using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Gateway.Api.Agents;

/// <summary>MQTTnet client options as agents and the relay's publisher use them: MQTT 3.1.1, clean session, TLS with our trust rules.</summary>
internal static class MqttConnection
{
    public static MqttClientOptions Options(
        string host, int port, bool tls, X509Certificate2Collection anchors, X509Certificate2? clientCertificate,
        string? userName, string? password, string clientId, TimeSpan keepAlive, TimeSpan timeout)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(keepAlive)
            .WithTimeout(timeout);
        if (userName is not null)
        {
            builder = builder.WithCredentials(userName, password ?? string.Empty);
        }

        if (tls)
        {
            builder = builder.WithTlsOptions(options =>
            {
                options.UseTls().WithTargetHost(host.Trim('[', ']'))
                    .WithCertificateValidationHandler(args => AgentTls.Validates(args.Certificate, args.Chain, args.SslPolicyErrors, anchors));
                if (clientCertificate is not null)
                {
                    options.WithClientCertificates([clientCertificate]);
                }

                // AWS IoT Core takes MQTT with a client certificate on 443 only with this ALPN name.
                if (port == 443)
                {
                    options.WithApplicationProtocols([new System.Net.Security.SslApplicationProtocol("x-amzn-mqtt-ca")]);
                }
            });
        }

        return builder.Build();
    }
}
