using System.Buffers;
using MQTTnet;

namespace Gateway.Api.Agents;

internal sealed partial class AgentConnection
{
    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Called on MQTTnet's receive loop: never throw into it, never wait for a session here.
        try
        {
            Take(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
        }
        catch (Exception ex)
        {
            Log.NotificationCrashed(_logger, _config.Name, ex);
            Record(NotificationResult.Failed, "the notification could not be handled: " + ex.Message);
        }

        return Task.CompletedTask;
    }

    private void Take(string topic, ReadOnlySequence<byte> payload)
    {
        if (!string.Equals(topic, _config.Topic, StringComparison.Ordinal))
        {
            Log.OtherTopic(_logger, _config.Name, topic.Length > 256 ? topic[..256] : topic);
            return;
        }

        lock (_gate)
        {
            _lastNotificationAt = _time.GetUtcNow();
            _received++;
        }

        if (payload.Length > _options.MaxPayloadBytes)
        {
            Invalid($"the payload has {payload.Length} bytes, more than the {_options.MaxPayloadBytes} allowed (Agents:MaxPayloadBytes)");
            return;
        }

        var (notification, problem) = TunnelNotification.Parse(payload);
        if (notification is null)
        {
            Invalid(problem!);
            return;
        }

        byte[] bytes = payload.ToArray();
        bool duplicate;
        lock (_gate)
        {
            duplicate = _lastPayload is not null && bytes.AsSpan().SequenceEqual(_lastPayload);
            if (duplicate)
            {
                _results[(int)NotificationResult.Duplicate]++;
                _lastResult = NotificationResult.Duplicate;
            }

            _lastPayload = bytes;
        }

        if (duplicate)
        {
            Log.Duplicate(_logger, _config.Name);
            _notices.Changed(_config.Name);
            return;
        }

        var (map, refusal) = AgentSessions.MapFor(_config.Services, notification.Services);
        if (map is null)
        {
            // The log line first: whoever sees the recorded result (the dashboard, a test) finds it logged.
            Log.Refused(_logger, _config.Name, _config.ThingName, refusal!);
            Record(NotificationResult.Refused, "notification refused: " + refusal);
            _ = _notices.RefusedAsync(_config, refusal!);
            return;
        }

        Log.Received(_logger, _config.Name, notification.ToString());
        _pending.Writer.TryWrite(new PendingStart(notification, map));
    }

    private void Invalid(string problem)
    {
        Log.InvalidNotification(_logger, _config.Name, _config.Topic, problem);
        Record(NotificationResult.Invalid, "invalid notification: " + problem);
    }

    private void Tally(NotificationResult result)
    {
        lock (_gate)
        {
            _results[(int)result]++;
        }
    }

    private void Record(NotificationResult result, string? error, string? sessionId = null)
    {
        lock (_gate)
        {
            _results[(int)result]++;
            _lastResult = result;
            _lastError = error;
            if (sessionId is not null)
            {
                _sessionId = sessionId;
                _sessionsStarted++;
            }
        }

        _notices.Changed(_config.Name);
    }

    private async Task SessionLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var first in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var pending = first;
                if (_options.CoalesceWindow > TimeSpan.Zero)
                {
                    // A flood for this thing: the newest within the window wins, one session starts.
                    await Task.Delay(_options.CoalesceWindow, _time, cancellationToken).ConfigureAwait(false);
                    while (_pending.Reader.TryRead(out var newer))
                    {
                        Tally(NotificationResult.Superseded);
                        pending = newer;
                    }
                }

                await StartSessionAsync(pending).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task StartSessionAsync(PendingStart pending)
    {
        try
        {
            string? previous;
            lock (_gate)
            {
                previous = _sessionId;
            }

            var (sessionId, error) = await _sessions.ReplaceAsync(_config, pending.Notification, pending.Services, previous).ConfigureAwait(false);
            if (sessionId is null)
            {
                Record(NotificationResult.Failed, "the destination session did not start: " + error);
                Log.StartFailed(_logger, _config.Name, error!);
                return;
            }

            Record(NotificationResult.Started, null, sessionId);
            Log.SessionStarted(_logger, _config.Name, sessionId, pending.Notification.ToString());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever it was, the next notification gets its own try.
            Record(NotificationResult.Failed, "the destination session did not start: " + ex.Message);
            Log.NotificationCrashed(_logger, _config.Name, ex);
        }
    }
}
