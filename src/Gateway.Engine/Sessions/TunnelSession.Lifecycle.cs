using Gateway.Engine.Protocol;
using Gateway.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Sessions;

internal sealed partial class TunnelSession
{
    private async Task RunAsync()
    {
        var settings = Spec.Spec.Settings;
        var connectRetry = new RetryPolicy(settings.RetryDelayMs, settings.ConnectRetryCount);
        var token = _stop.Token;
        int failures = 0;
        bool everConnected = false;
        bool renewed = false;
        CaTrust? reported = null;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var trust = ReadCaDirectory(ref reported);
                var outcome = await TunnelConnector.ConnectAsync(Spec.ToConnectRequest(), ConnectTimeout, token, trust).ConfigureAwait(false);
                if (outcome.Failure is { } answered)
                {
                    // The service's words go into the log, the state and the snapshot: never our token with them.
                    var failure = answered with { Message = Log.Scrub(answered.Message)!, Body = Log.Scrub(answered.Body) };
                    lock (_stateGate)
                    {
                        _lastError = failure.ToString();
                        _channelId = failure.ChannelId ?? _channelId;
                        _handshakeStatus = failure.StatusCode;
                        _handshakeBody = failure.Body;
                    }

                    if (failure.IsFinal)
                    {
                        var refusal = new AccessTokenRefusal(Id, Spec.Spec.Mode, failure.StatusCode ?? 0, failure.Body);
                        if (refusal.IsTokenRefusal && !renewed && await RenewTokenAsync(refusal, failure, token).ConfigureAwait(false))
                        {
                            renewed = true;
                            continue;
                        }

                        string reason = refusal.IsSpent
                            ? $"the token was spent: rotate it or give a new one ({failure})"
                            : $"the service rejected the handshake: {failure}";
                        Finish(SessionState.Failed, reason, SessionFailure.HandshakeRejected);
                        return;
                    }

                    failures++;
                    var delay = connectRetry.NextDelay(failures);
                    if (delay is null)
                    {
                        Finish(SessionState.Failed, $"could not connect after {failures} attempt(s) (websocket.connect_retry_count {settings.ConnectRetryCount}): {failure}", SessionFailure.RetriesExhausted);
                        return;
                    }

                    Log.WriteRepeated(LogLevel.Warning, SessionLogEvents.ConnectRetry, "connect failed: " + failure, $"connect failed ({failure}); retry {failures} in {delay.Value.TotalSeconds:0.###} s");
                    SetState(everConnected ? SessionState.Reconnecting : SessionState.Connecting, $"retrying in {delay.Value.TotalSeconds:0.#} s: {failure.Message}");
                    await Task.Delay(delay.Value, Time, token).ConfigureAwait(false);
                    continue;
                }

                failures = 0;
                renewed = false;
                everConnected = true;
                var link = new SessionLink(this, outcome.Socket!);
                lock (_stateGate)
                {
                    _link = link;
                    _channelId = outcome.Socket!.ChannelId;
                    _connectedAt = Time.GetUtcNow();
                    _handshakeStatus = null;
                    _handshakeBody = null;
                }

                // The reference's wording first: scripts written for it wait for this line.
                Log.WriteRepeated(LogLevel.Information, SessionLogEvents.Established, "established", $"Successfully established websocket connection with proxy server: {Spec.Endpoint with { Path = string.Empty }}");
                Log.WriteRepeated(LogLevel.Information, SessionLogEvents.Connected, "connected", $"connected to {Spec.Endpoint} (channel-id {outcome.Socket!.ChannelId ?? "none"})");
                SetState(SessionState.Connected, "waiting for SERVICE_IDS");
                var end = await link.RunAsync(token).ConfigureAwait(false);
                lock (_stateGate)
                {
                    // What the services were stays visible (without connections) after the link ends:
                    // a stopped or reconnecting session still says which ports it had.
                    _lastServices = [.. link.SnapshotServices().Select(s => s with { Connections = [] })];
                    _link = null;
                }

                switch (end.Kind)
                {
                    case LinkEndKind.Stopped:
                        Finish(SessionState.Stopped, "stopped by the user");
                        return;
                    case LinkEndKind.Closed:
                        lock (_stateGate)
                        {
                            _closeCode = end.CloseCode;
                            _closeReason = end.CloseReason;
                        }

                        Log.Info(SessionLogEvents.ClosedByService, $"the service closed the tunnel: code {end.CloseCode}{(string.IsNullOrEmpty(end.CloseReason) ? string.Empty : $" \"{end.CloseReason}\"")}");
                        Finish(SessionState.Closed, $"closed by the service (code {end.CloseCode}{(string.IsNullOrEmpty(end.CloseReason) ? string.Empty : $": {end.CloseReason}")})");
                        return;
                    case LinkEndKind.ConfigurationError:
                        Finish(SessionState.Failed, end.Message, SessionFailure.Configuration);
                        return;
                    case LinkEndKind.PortUnavailable:
                        Finish(SessionState.Failed, end.Message, SessionFailure.PortUnavailable);
                        return;
                    case LinkEndKind.Internal:
                        Finish(SessionState.Failed, end.Message, SessionFailure.Internal);
                        return;
                }

                lock (_stateGate)
                {
                    _lastError = end.Message;
                }

                if (!settings.ReconnectOnDataError)
                {
                    Log.Error(SessionLogEvents.ConnectionLost, $"connection lost ({end.Message}); websocket.reconnect_on_data_error is false");
                    Finish(SessionState.Failed, $"connection lost: {end.Message}", SessionFailure.ConnectionLost);
                    return;
                }

                Interlocked.Increment(ref _reconnects);
                var backoff = connectRetry.NextDelay(1) ?? TimeSpan.FromMilliseconds(settings.RetryDelayMs);
                Log.WriteRepeated(LogLevel.Warning, SessionLogEvents.Reconnecting, "connection lost: " + end.Message, $"connection lost ({end.Message}); reconnecting in {backoff.TotalSeconds:0.###} s");
                SetState(SessionState.Reconnecting, $"connection lost: {end.Message}");
                await Task.Delay(backoff, Time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Never take the process down: a bug in one session ends that session, visibly.
            Log.Error(SessionLogEvents.FailedUnexpectedly, $"session failed unexpectedly: {ex}");
            Finish(SessionState.Failed, "internal error: " + ex.Message, SessionFailure.Internal);
            return;
        }
        finally
        {
            DisposeListeners();
        }

        Finish(SessionState.Stopped, "stopped by the user");
    }

    /// <summary>The CA directory's anchors (re-read only when it changed); what was skipped is logged once per read.</summary>
    private CaTrust? ReadCaDirectory(ref CaTrust? reported)
    {
        if (Spec.Spec.CaPath is not { } directory)
        {
            return null;
        }

        var trust = CaDirectoryCache.Shared.Get(directory);
        if (!ReferenceEquals(trust, reported))
        {
            reported = trust;
            foreach (var problem in trust.Problems)
            {
                Log.Warn(SessionLogEvents.CaDirectoryProblem, problem);
            }
        }

        return trust;
    }

    private void SetState(SessionState state, string? reason)
    {
        bool changed;
        lock (_stateGate)
        {
            if (_state.IsFinal())
            {
                return;
            }

            changed = _state != state || _stateReason != reason;
            _state = state;
            _stateReason = reason;
        }

        if (changed)
        {
            Interlocked.Increment(ref _version);
            _onChanged(this, true);
        }
    }

    private void Finish(SessionState state, string reason, SessionFailure failure = SessionFailure.None)
    {
        lock (_stateGate)
        {
            if (_state.IsFinal())
            {
                return;
            }

            _state = state;
            _stateReason = reason;
            _failure = failure;
            _endedAt = Time.GetUtcNow();
        }

        // Ports are released before anyone hears of the end, so a restart on the same port works.
        DisposeListeners();
        // The one line that says why a session ended (a rejected handshake, retries given up, ...).
        if (_logEnd)
        {
            Log.Write(state == SessionState.Failed ? LogLevel.Error : LogLevel.Information, SessionLogEvents.Ended, $"ended: {state} ({reason})");
        }
        Interlocked.Increment(ref _version);
        _onChanged(this, true);
    }

    /// <summary>Called by the connected link once SERVICE_IDS set up the services.</summary>
    public void MarkReady() => SetState(SessionState.Connected, null);

    public SessionSnapshot Snapshot()
    {
        lock (_stateGate)
        {
            var services = _link?.SnapshotServices() ?? _lastServices;
            long rtt = Interlocked.Read(ref _rttMs);
            return new SessionSnapshot
            {
                Id = Id,
                Name = Spec.Spec.Name,
                ProfileId = Spec.Spec.ProfileId,
                Tunnel = Spec.Spec.Tunnel,
                Mode = Spec.Spec.Mode,
                Endpoint = Spec.Endpoint.ToString(),
                State = _state,
                StateReason = _stateReason,
                Failure = _failure,
                MessageFormat = _link?.Format ?? Spec.Spec.MessageFormat,
                CreatedAt = CreatedAt,
                ConnectedAt = _connectedAt,
                EndedAt = _endedAt,
                RttMs = rtt < 0 ? null : rtt,
                Reconnects = Volatile.Read(ref _reconnects),
                LastError = _lastError,
                ChannelId = _channelId,
                HandshakeStatus = _handshakeStatus,
                HandshakeBody = _handshakeBody,
                CloseCode = _closeCode,
                CloseReason = _closeReason,
                ReceivePaused = Volatile.Read(ref _receivePaused) > 0 || Volatile.Read(ref _dispatchPaused) > 0,
                BytesToTunnel = Interlocked.Read(ref _bytesToTunnel),
                BytesFromTunnel = Interlocked.Read(ref _bytesFromTunnel),
                ActiveConnections = services.Sum(s => s.Connections.Count),
                Limits = Limits,
                ThrottledToTunnelMs = ToTunnelThrottle?.Throttled.TotalMilliseconds ?? 0,
                ThrottledFromTunnelMs = FromTunnelThrottle?.Throttled.TotalMilliseconds ?? 0,
                ThrottledConnectionsMs = TimeSpan.FromTicks(Interlocked.Read(ref _connectionThrottledTicks)).TotalMilliseconds,
                ConnectionsRefusedByLimit = Interlocked.Read(ref _refusedByLimit),
                Services = services,
            };
        }
    }
    /// <summary>
    /// Asks <see cref="SessionStartOptions.TokenRenewer"/> for a new token after the service refused
    /// this one; true when the session got one and should connect again at once.
    /// </summary>
    private async Task<bool> RenewTokenAsync(AccessTokenRefusal refusal, ConnectFailure failure, CancellationToken token)
    {
        if (_tokenRenewer is null)
        {
            return false;
        }

        Log.Warn(SessionLogEvents.TokenRefused, $"the service refused the access token ({failure}); asking for a new one");
        AccessTokenRenewal? fresh;
        try
        {
            fresh = await _tokenRenewer(refusal, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            Log.Error(SessionLogEvents.TokenRenewalFailed, "getting a new access token failed: " + ex.Message);
            return false;
        }

        if (fresh is null || string.IsNullOrEmpty(fresh.AccessToken))
        {
            Log.Warn(SessionLogEvents.TokenNotRenewed, "no new access token was given");
            return false;
        }

        Log.Conceal(fresh.AccessToken);
        Spec = Spec with { Spec = Spec.Spec with { AccessToken = fresh.AccessToken } };
        Log.Info(SessionLogEvents.TokenRenewed, fresh.How is null ? "got a new access token; connecting again" : $"got a new access token ({fresh.How}); connecting again");
        return true;
    }
}
