using System.Net.WebSockets;
using Gateway.Engine.Logging;

namespace Gateway.Engine.Relay;

public sealed partial class TunnelRelay
{
    /// <summary>
    /// Judges an upgrade request. On acceptance the token is burned (and persisted) before this
    /// returns, so the host must answer 101 and then call <see cref="RunConnectionAsync"/>.
    /// </summary>
    public async Task<RelayHandshakeResult> AuthorizeAsync(RelayUpgradeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var channelId = Guid.NewGuid().ToString("D");
        var check = RelayHandshakeRules.Check(request, _options.MaxUpgradeRequestBytes);
        if (check.Failed)
        {
            return Reject(request, check.FailureStatus, check.FailureReason!, channelId);
        }

        if (!_initialized.Task.IsCompleted)
        {
            return Reject(request, 503, "The relay is starting; retry shortly.", channelId);
        }

        string tokenHash = TokenHasher.Hash(check.AccessToken);
        if (!_byTokenHash.TryGetValue(tokenHash, out var owner) || !owner.Tunnel.OwnsTokenHash(owner.End, tokenHash))
        {
            return Reject(request, 401, "Invalid access token: no tunnel has this access token.", channelId);
        }

        if (owner.End != check.End)
        {
            var tokenMode = RelayHandshakeRules.ModeName(owner.End);
            return Reject(request, 400, $"The access token is for {tokenMode} mode, but the request asked for local-proxy-mode={RelayHandshakeRules.ModeName(check.End)}.", channelId);
        }

        var clientTokenHash = check.ClientToken is null ? null : TokenHasher.Hash(check.ClientToken);
        if (owner.Tunnel.Admit(owner.End, clientTokenHash, out bool burned) is { } refusal)
        {
            return Reject(request, refusal.Status, refusal.Reason, channelId);
        }

        if (burned)
        {
            try
            {
                await PersistAsync(owner.Tunnel, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                owner.Tunnel.RevertBurn(owner.End);
                Log.StoreFailed(_logger, owner.Tunnel.Id, ex);
                return Reject(request, 503, "The relay could not record the connection; retry shortly.", channelId);
            }
        }

        var admission = new RelayAdmission(owner.Tunnel, owner.End, check.Subprotocol, channelId, request.RemoteAddress, tokenHash);
        return RelayHandshakeResult.Accept(admission with { Burned = burned });
    }

    /// <summary>
    /// Serves an accepted WebSocket until it ends: attaches it to its tunnel end (sending
    /// SERVICE_IDS first), relays frames, and detaches it. Never throws for network trouble.
    /// </summary>
    public async Task RunConnectionAsync(RelayHandshakeResult accepted, WebSocket socket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(socket);
        var admission = accepted.Admission ?? throw new ArgumentException("The handshake was not accepted.", nameof(accepted));
        var peer = new RelayPeer(admission, socket, _options, _time, _logger);
        var outcome = admission.Tunnel.Attach(peer, admission.TokenHash);
        if (outcome == AttachOutcome.TunnelEnded)
        {
            peer.RequestClose(WebSocketCloseStatus.NormalClosure, admission.Tunnel.EndReason ?? "Tunnel closed");
        }
        else if (outcome == AttachOutcome.Revoked)
        {
            peer.RequestClose(WebSocketCloseStatus.PolicyViolation, RevokedCloseReason);
        }
        else
        {
            Log.PeerConnected(_logger, admission.Tunnel.Id, admission.End, admission.RemoteAddress, admission.ChannelId, admission.Subprotocol,
                outcome == AttachOutcome.Replaced ? "replacing the previous connection" : admission.Burned ? "first use of the token" : "reconnect with client token");
        }

        try
        {
            await peer.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.PeerFailed(_logger, admission.Tunnel.Id, admission.End, admission.ChannelId, ex);
        }

        Log.PeerDisconnected(_logger, admission.Tunnel.Id, admission.End, admission.ChannelId);
    }

    // A flood of refusals (a proxy retrying a dead token, a scanner) is logged a few lines per
    // remote address and window, then summarised (RejectionLogLimiter).
    private RelayHandshakeResult Reject(RelayUpgradeRequest request, int status, string reason, string channelId)
    {
        if (_rejectionLog.ShouldLog(AddressOf(request.RemoteAddress), out _))
        {
            Log.HandshakeRejected(_logger, request.RemoteAddress, status, channelId, LogText.Escape(reason));
        }

        return RelayHandshakeResult.Reject(status, reason, channelId);
    }

    // The host gives "ip:port" (IPv6 without brackets); refusals are counted per ip.
    private static string AddressOf(string? remote)
    {
        if (string.IsNullOrEmpty(remote))
        {
            return "unknown";
        }

        int colon = remote.LastIndexOf(':');
        return colon > 0 && colon < remote.Length - 1 && remote.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9') is false
            ? remote[..colon]
            : remote;
    }
}
