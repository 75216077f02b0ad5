using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Agents;

/// <summary>An MQTT client of the test (MQTTnet) that plays AWS IoT: publishes to a thing's notify topic, or subscribes to watch it.</summary>
internal sealed class TestMqtt : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private TestMqtt(IMqttClient client) => _client = client;

    public static async Task<TestMqtt> ConnectAsync(Mosquitto broker, TestPki? pki = null, (string User, string Password)? credentials = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("test-" + Guid.NewGuid().ToString("N")[..12]);
        if (credentials is { } given)
        {
            options.WithCredentials(given.User, given.Password);
        }

        if (pki is not null)
        {
            var (certificate, key) = pki.Issue("aws-iot", server: false);
            using var ephemeral = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificate, key);
            var usable = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(ephemeral.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
            var ca = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            ca.ImportFromPem(pki.CaPem);
            options.WithTlsOptions(tls => tls.UseTls().WithClientCertificates([usable]).WithTrustChain(ca).WithTargetHost("127.0.0.1"));
        }

        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        await client.ConnectAsync(options.Build(), cts.Token);
        return new TestMqtt(client);
    }

    public static string Topic(string thing) => $"$aws/things/{thing}/tunnels/notify";

    /// <summary>The payload AWS publishes (aws-management-api.md section 4).</summary>
    public static string Notification(string token, params string[] services) =>
        JsonSerializer.Serialize(new { clientAccessToken = token, clientMode = "destination", region = "us-east-1", services });

    public async Task PublishAsync(string thing, string payload) => await PublishAsync(thing, Encoding.UTF8.GetBytes(payload));

    public async Task PublishAsync(string thing, byte[] payload)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        var message = new MqttApplicationMessageBuilder().WithTopic(Topic(thing)).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await _client.PublishAsync(message, cts.Token);
        Assert.True(result.IsSuccess, $"publish to {Topic(thing)}: {result.ReasonCode}");
    }

    /// <summary>Subscribes to a thing's notify topic; the payloads that arrive are read from the returned channel.</summary>
    public async Task<System.Threading.Channels.ChannelReader<string>> WatchAsync(string thing)
    {
        var received = System.Threading.Channels.Channel.CreateUnbounded<string>();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            received.Writer.TryWrite(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topic(thing), MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
        return received.Reader;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            using var cts = new CancellationTokenSource(TestGateway.Timeout);
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), cts.Token);
        }

        _client.Dispose();
    }
}
