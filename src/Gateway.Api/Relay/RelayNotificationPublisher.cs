using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using Gateway.Api.Agents;
using Gateway.Engine.Relay;
using Gateway.Engine.Relay.Management;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gateway.Api.Relay;

/// <summary>
/// Publishes the built-in relay's tunnel notifications as AWS IoT does, when <c>Relay:Notifications</c>
/// names a broker: after a successful <c>OpenTunnel</c> with <c>destinationConfig.thingName</c>, and after
/// <c>RotateTunnelAccessToken</c> with <c>clientMode</c> DESTINATION or ALL and a <c>destinationConfig</c>
/// (aws-management-api.md section 4). The call never waits for the broker: a bounded queue and one
/// loop publish at QoS 1, connecting when needed; a notification that cannot be delivered after a few
/// tries is logged by thing and dropped.
/// </summary>
internal sealed partial class RelayNotificationPublisher : IHostedService, IAsyncDisposable
{
    public const int QueueCapacity = 1024;
    private const int Attempts = 4;

    private readonly RelayNotificationsOptions _options;
    private readonly TunnelRelay _relay;
    private readonly ILogger<RelayNotificationPublisher> _logger;
    private readonly Channel<(string Thing, byte[] Payload)> _queue;
    private readonly CancellationTokenSource _stop = new();
    private IMqttClient? _client;
    private MqttClientOptions? _mqttOptions;
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    public RelayNotificationPublisher(IOptions<RelayNotificationsOptions> options, TunnelRelay relay, ILogger<RelayNotificationPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _relay = relay;
        _logger = logger;
        _queue = Channel.CreateBounded<(string, byte[])>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => Log.Dropped(_logger, dropped.Item1, "the queue is full"));
    }

    /// <summary>The notification JSON, members in AWS's order.</summary>
    public static byte[] Payload(string token, string region, IEnumerable<string> services)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("clientAccessToken", token);
            json.WriteString("clientMode", "destination");
            json.WriteString("region", region);
            json.WriteStartArray("services");
            foreach (var service in services)
            {
                json.WriteStringValue(service);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>After a successful management call: queues its notification if it is one that publishes.</summary>
    public void AfterCall(string operation, ReadOnlyMemory<byte> request, ManagementResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_options.Enabled || result.Error is not null || result.TunnelId is not { } id
            || operation is not (ManagementOperations.OpenTunnel or ManagementOperations.RotateTunnelAccessToken))
        {
            return;
        }

        try
        {
            if (operation == ManagementOperations.RotateTunnelAccessToken)
            {
                using var sent = JsonDocument.Parse(request);
                if (!sent.RootElement.TryGetProperty("destinationConfig", out var config) || config.ValueKind != JsonValueKind.Object)
                {
                    return;
                }
            }

            using var answer = JsonDocument.Parse(result.Body);
            if (!answer.RootElement.TryGetProperty("destinationAccessToken", out var token) || token.GetString() is not { } destinationToken
                || _relay.Get(id) is not { ThingName: { } thing } tunnel)
            {
                return;
            }

            _queue.Writer.TryWrite((thing, Payload(destinationToken, _relay.Options.Region, tunnel.Services)));
        }
        catch (JsonException)
        {
            // The relay's own answer, parsed before: cannot happen; a notification is not worth a failed call.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }

        var anchors = new X509Certificate2Collection();
        if (_options.CaFile is { } caFile)
        {
            anchors = AgentTls.LoadCaBundle(ReadSetting(caFile, "CaFile"));
            if (anchors.Count == 0)
            {
                throw new Hosting.GatewayStartupException($"{RelayNotificationsOptions.SectionName}:CaFile {caFile} holds no PEM certificate.");
            }
        }

        X509Certificate2? certificate = null;
        if (_options.ClientCertificateFile is { } certificateFile)
        {
            var (loaded, problem) = AgentTls.LoadClientCertificate(ReadSetting(certificateFile, "ClientCertificateFile"), ReadSetting(_options.ClientKeyFile ?? string.Empty, "ClientKeyFile"));
            certificate = loaded ?? throw new Hosting.GatewayStartupException($"{RelayNotificationsOptions.SectionName}:ClientCertificateFile and ClientKeyFile: {problem}");
        }

        int port = _options.Port ?? (_options.Tls ? AgentRules.DefaultTlsPort : AgentRules.DefaultPlainPort);
        string clientId = _options.ClientId ?? "tunnelgateway-relay-" + Guid.NewGuid().ToString("N")[..12];
        _mqttOptions = MqttConnection.Options(_options.Host!, port, _options.Tls, anchors, certificate, _options.UserName, _options.Password, clientId, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10));
        _client = new MqttClientFactory().CreateMqttClient();
        _loop = Task.Run(() => PublishLoopAsync(_stop.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        _queue.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes it twice (as itself and as the hosted service's factory result).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None);
        _client?.Dispose();
        _stop.Dispose();
    }

    private static string ReadSetting(string path, string name)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new Hosting.GatewayStartupException($"{RelayNotificationsOptions.SectionName}:{name} '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (thing, payload) in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await PublishAsync(thing, payload, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        if (_client is { IsConnected: true } client)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                // Going away anyway.
            }
        }
    }

    private async Task PublishAsync(string thing, byte[] payload, CancellationToken cancellationToken)
    {
        string topic = AgentRules.NotifyTopic(thing);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        string reason = "unknown";
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                if (!_client!.IsConnected)
                {
                    await _client.ConnectAsync(_mqttOptions!, timeout.Token).ConfigureAwait(false);
                }

                var result = await _client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    Log.Published(_logger, topic);
                    return;
                }

                reason = $"the broker answered {result.ReasonCode} {result.ReasonString}".TrimEnd();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                reason = ex.Message;
            }

            Log.Retrying(_logger, topic, attempt, reason);
            await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt * (0.5 + Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
        }

        Log.Dropped(_logger, thing, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Published the tunnel notification to {Topic}")]
        public static partial void Published(ILogger logger, string topic);

        [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "Publishing the tunnel notification to {Topic} failed (attempt {Attempt}): {Reason}")]
        public static partial void Retrying(ILogger logger, string topic, int attempt, string reason);

        [LoggerMessage(EventId = 4052, Level = LogLevel.Error, Message = "The tunnel notification for thing {Thing} was not published: {Reason}")]
        public static partial void Dropped(ILogger logger, string thing, string reason);
    }
}
