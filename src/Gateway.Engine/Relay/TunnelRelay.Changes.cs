using System.Net.WebSockets;

namespace Gateway.Engine.Relay;

public sealed partial class TunnelRelay
{
    /// <summary>The close reason a connection gets when its end's access token is rotated.</summary>
    internal const string RevokedCloseReason = "Access token rotated; connect with the new token";

    /// <summary>
    /// Issues new access tokens for the chosen ends (AWS RotateTunnelAccessToken). The old tokens
    /// stop working at once, a connection that used one is closed (1008) and the other end's
    /// streams are reset; the lifetime is not extended. The new tokens are saved before they are
    /// returned, so a restart never brings the old ones back. A <paramref name="thingName"/>
    /// replaces the destination's thing.
    /// </summary>
    public async Task<(TunnelChangeStatus Status, RotatedTokens? Tokens)> RotateAsync(string id, TokenRotation rotation, CancellationToken cancellationToken, string? thingName = null)
    {
        if (!_tunnels.TryGetValue(id, out var tunnel))
        {
            return (TunnelChangeStatus.NotFound, null);
        }

        string? source = rotation is TokenRotation.Source or TokenRotation.All ? TokenHasher.NewAccessToken() : null;
        string? destination = rotation is TokenRotation.Destination or TokenRotation.All ? TokenHasher.NewAccessToken() : null;
        string? sourceHash = source is null ? null : TokenHasher.Hash(source);
        string? destinationHash = destination is null ? null : TokenHasher.Hash(destination);
        List<RelayPeer>? revoked;
        (string Source, string Destination) old;
        await tunnel.PersistGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (tunnel.State != RelayTunnelState.Open)
            {
                return (TunnelChangeStatus.Ended, null);
            }

            var now = _time.GetUtcNow();
            var current = tunnel.ToRecord();
            var next = current with
            {
                LastUpdatedAt = now,
                ThingName = thingName ?? current.ThingName,
                Source = sourceHash is null ? current.Source : new TunnelEndRecord(sourceHash, ConnectionChangedAt: current.Source.ConnectionChangedAt),
                Destination = destinationHash is null ? current.Destination : new TunnelEndRecord(destinationHash, ConnectionChangedAt: current.Destination.ConnectionChangedAt),
            };
            await _store.SaveAsync(next, cancellationToken).ConfigureAwait(false);
            old = tunnel.TokenHashes();
            revoked = tunnel.ReplaceTokens(sourceHash, destinationHash, thingName, now);
        }
        finally
        {
            tunnel.PersistGate.Release();
        }

        if (revoked is null)
        {
            return (TunnelChangeStatus.Ended, null);
        }

        if (sourceHash is not null)
        {
            _byTokenHash.TryRemove(old.Source, out _);
            _byTokenHash[sourceHash] = (tunnel, TunnelEnd.Source);
        }

        if (destinationHash is not null)
        {
            _byTokenHash.TryRemove(old.Destination, out _);
            _byTokenHash[destinationHash] = (tunnel, TunnelEnd.Destination);
        }

        foreach (var peer in revoked)
        {
            peer.RequestClose(WebSocketCloseStatus.PolicyViolation, RevokedCloseReason);
        }

        Log.TokensRotated(_logger, tunnel.Id, rotation, revoked.Count);
        return (TunnelChangeStatus.Done, new RotatedTokens(tunnel.ToSnapshot(), source, destination));
    }

    /// <summary>Adds or replaces tags (AWS TagResource); works on closed tunnels too.</summary>
    public async Task<TunnelChangeStatus> TagAsync(string id, IReadOnlyList<TunnelTag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (!_tunnels.TryGetValue(id, out var tunnel))
        {
            return TunnelChangeStatus.NotFound;
        }

        if (!tunnel.ApplyTags(tags, _time.GetUtcNow()))
        {
            return TunnelChangeStatus.TooManyTags;
        }

        await PersistAsync(tunnel, cancellationToken).ConfigureAwait(false);
        return TunnelChangeStatus.Done;
    }

    /// <summary>Removes tags by key (AWS UntagResource); unknown keys are ignored.</summary>
    public async Task<TunnelChangeStatus> UntagAsync(string id, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!_tunnels.TryGetValue(id, out var tunnel))
        {
            return TunnelChangeStatus.NotFound;
        }

        tunnel.RemoveTags(keys, _time.GetUtcNow());
        await PersistAsync(tunnel, cancellationToken).ConfigureAwait(false);
        return TunnelChangeStatus.Done;
    }

    /// <summary>Deletes closed and expired tunnels that ended longer ago than the retention.</summary>
    internal async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - _options.ClosedTunnelRetention;
        foreach (var tunnel in _tunnels.Values)
        {
            if (tunnel.State != RelayTunnelState.Open && (tunnel.EndedAt ?? tunnel.ExpiresAt) <= cutoff)
            {
                try
                {
                    await DeleteAsync(tunnel, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.StoreFailed(_logger, tunnel.Id, ex);
                }
            }
        }
    }

    private async Task DeleteAsync(RelayTunnel tunnel, CancellationToken cancellationToken)
    {
        await tunnel.PersistGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.DeleteAsync(tunnel.Id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            tunnel.PersistGate.Release();
        }

        _tunnels.TryRemove(tunnel.Id, out _);
        var (source, destination) = tunnel.TokenHashes();
        _byTokenHash.TryRemove(source, out _);
        _byTokenHash.TryRemove(destination, out _);
        Log.TunnelDeleted(_logger, tunnel.Id);
    }
}
