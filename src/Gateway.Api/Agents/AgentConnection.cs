using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace Gateway.Api.Agents;

/// <summary>
/// One agent's MQTT client: connects (retrying with exponential back-off and jitter), subscribes to
/// the thing's notify topic at QoS 1 after every connect (so a broker restart loses nothing), and
/// hands each acceptable notification to one session loop. Nothing a broker or a payload does
/// ends the loops; only <see cref="DisposeAsync"/> does.
/// </summary>
internal sealed partial class AgentConnection : IAsyncDisposable
{
    private readonly AgentConfig _config;
    private readonly AgentsOptions _options;
    private readonly AgentSessions _sessions;
    private readonly AgentNotices _notices;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _mqttOptions;
    private readonly CancellationTokenSource _stop = new();

    // Capacity 1, oldest dropped: while a session starts, only the newest notification waits.
    private readonly Channel<PendingStart> _pending;

    private readonly Lock _gate = new();
    private readonly long[] _results = new long[Enum.GetValues<NotificationResult>().Length];
    private TaskCompletionSource<string> _lost = NewLost();
    private byte[]? _lastPayload;
    private string _state = "connecting";
    private string? _lastError;
    private DateTimeOffset? _connectedAt;
    private DateTimeOffset? _lastNotificationAt;
    private NotificationResult? _lastResult;
    private string? _sessionId;
    private long _sessionsStarted;
    private long _received;
    private Task _connectLoop = Task.CompletedTask;
    private Task _sessionLoop = Task.CompletedTask;

    public AgentConnection(AgentConfig config, AgentsOptions options, AgentSessions sessions, AgentNotices notices, TimeProvider time, ILogger logger)
    {
        _config = config;
        _options = options;
        _sessions = sessions;
        _notices = notices;
        _time = time;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
        _mqttOptions = MqttConnection.Options(config.Host, config.Port, config.Tls, config.Anchors, config.ClientCertificate, config.UserName, config.Password, config.ClientId, options.KeepAlive, options.ConnectTimeout);
        _pending = Channel.CreateBounded<PendingStart>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Tally(NotificationResult.Superseded));
    }

    public string Name => _config.Name;

    public string ThingName => _config.ThingName;

    public bool IsConnected => Volatile.Read(ref _state) == "connected";

    public AgentStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new AgentStatus(_config.Name, _state, _lastError, _connectedAt, _lastNotificationAt, _lastResult is { } r ? ResultName(r) : null,
                    _sessionId, _received, _sessionsStarted);
            }
        }
    }

    /// <summary>Counts by result since this connection was made (for the metrics).</summary>
    public long Count(NotificationResult result) => Interlocked.Read(ref _results[(int)result]);

    public long SessionsStarted => Interlocked.Read(ref _sessionsStarted);

    public static string ResultName(NotificationResult result) => result.ToString().ToLowerInvariant();

    public void Start()
    {
        _connectLoop = Task.Run(() => ConnectLoopAsync(_stop.Token));
        _sessionLoop = Task.Run(() => SessionLoopAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _pending.Writer.TryComplete();
        try
        {
            if (_client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            // Going away anyway.
        }

        // Bounded: a connect or a session start under way ends with the cancellation; an agent being
        // replaced or deleted never holds up the API call that did it for long.
        await Task.WhenAll(_connectLoop, _sessionLoop).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _client.Dispose();
        _config.Dispose();
        _stop.Dispose();
    }

    private static TaskCompletionSource<string> NewLost() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        var retry = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !cancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectDelay,
                MaxDelay = _options.MaxReconnectDelay,
                OnRetry = args =>
                {
                    string reason = Describe(args.Outcome.Exception);
                    SetState("disconnected", reason);
                    Log.ConnectFailed(_logger, _config.Name, _config.Host, _config.Port, reason, args.RetryDelay.TotalSeconds);
                    return default;
                },
            })
            .Build();
        while (!cancellationToken.IsCancellationRequested)
        {
            SetState("connecting", keepError: true);
            try
            {
                await retry.ExecuteAsync(ConnectOnceAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            lock (_gate)
            {
                _connectedAt = _time.GetUtcNow();
            }

            SetState("connected");
            Log.Connected(_logger, _config.Name, _config.Host, _config.Port, _config.Topic);
            string reason;
            try
            {
                reason = await _lost.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                _connectedAt = null;
            }

            SetState("disconnected", reason);
            Log.Disconnected(_logger, _config.Name, reason);

            // A broker that drops every connection at once must not be hammered: a jittered pause first.
            var pause = TimeSpan.FromMilliseconds(_options.ReconnectDelay.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
            try
            {
                await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async ValueTask ConnectOnceAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            // Connected, but the subscription failed or timed out: start over from a clean connection.
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
        }

        Volatile.Write(ref _lost, NewLost());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var connected = await _client.ConnectAsync(_mqttOptions, timeout.Token).ConfigureAwait(false);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new AgentConnectException($"the broker refused the connection: {connected.ResultCode} {connected.ReasonString}".TrimEnd());
        }

        var subscribed = await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_config.Topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token).ConfigureAwait(false);
        var code = subscribed.Items.Count == 0 ? MqttClientSubscribeResultCode.UnspecifiedError : subscribed.Items.First().ResultCode;
        if (code is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
            throw new AgentConnectException($"the broker refused the subscription to {_config.Topic} ({code}): check the thing's policy allows iot:Subscribe and iot:Receive on it");
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected)
        {
            string reason = e.Exception is { } ex ? Describe(ex) : $"the broker closed the connection ({e.Reason}{(string.IsNullOrEmpty(e.ReasonString) ? string.Empty : ": " + e.ReasonString)})";
            Volatile.Read(ref _lost).TrySetResult(reason);
        }

        return Task.CompletedTask;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        null => "unknown",
        AgentConnectException refused => refused.Message,
        OperationCanceledException => "no answer within the connect timeout",
        _ => (exception.GetBaseException().Message is { Length: > 0 } inner && inner != exception.Message ? $"{exception.Message} ({inner})" : exception.Message),
    };

    private void SetState(string state, string? error = null, bool keepError = false)
    {
        lock (_gate)
        {
            _state = state;
            if (!keepError)
            {
                _lastError = error;
            }
        }

        _notices.Changed(_config.Name);
    }

    private sealed record PendingStart(TunnelNotification Notification, string Services);

    private sealed class AgentConnectException(string message) : Exception(message);
}
