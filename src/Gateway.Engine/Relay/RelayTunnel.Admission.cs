namespace Gateway.Engine.Relay;

internal sealed partial class RelayTunnel
{
    /// <summary>
    /// Applies the single-use token rule: the first use burns the token and remembers its client
    /// token; a later use is a reconnect only with that same client token. Returns null when the
    /// end may connect (<paramref name="burned"/> tells whether the store must be updated first).
    /// </summary>
    public (int Status, string Reason)? Admit(TunnelEnd end, string? clientTokenHash, out bool burned)
    {
        burned = false;
        lock (_gate)
        {
            if (State != RelayTunnelState.Open)
            {
                string what = State == RelayTunnelState.Expired ? "expired" : "closed";
                return (410, $"Tunnel {Id} is {what}; open a new tunnel.");
            }

            var state = End(end);
            if (!state.Used)
            {
                state.Used = true;
                state.ClientTokenHash = clientTokenHash;
                burned = true;
                return null;
            }

            if (clientTokenHash is not null && string.Equals(state.ClientTokenHash, clientTokenHash, StringComparison.Ordinal))
            {
                return null;
            }

            return (400, RelayHandshakeRules.TokenReusedBody);
        }
    }

    /// <summary>Undoes a burn whose persistence failed, so the proxy's retry is judged afresh.</summary>
    public void RevertBurn(TunnelEnd end)
    {
        lock (_gate)
        {
            var state = End(end);
            state.Used = false;
            state.ClientTokenHash = null;
        }
    }

    /// <summary>
    /// Makes <paramref name="peer"/> the current connection of its end. SERVICE_IDS is queued to it
    /// before anyone can forward to it. A connection it replaces is closed, and the other end gets
    /// STREAM_RESET for every stream that was alive.
    /// </summary>
    public AttachOutcome Attach(RelayPeer peer, string tokenHash)
    {
        RelayPeer? replaced;
        lock (_gate)
        {
            if (State != RelayTunnelState.Open)
            {
                return AttachOutcome.TunnelEnded;
            }

            var state = End(peer.End);
            if (!string.Equals(state.AccessTokenHash, tokenHash, StringComparison.Ordinal))
            {
                // The token was rotated between the handshake and now.
                return AttachOutcome.Revoked;
            }

            replaced = state.Peer;
            state.Peer = peer;
            state.Connections++;
            state.ConnectionChangedAt = _time.GetUtcNow();
            peer.EnqueueControl(Protocol.FrameWriter.ToArray(Protocol.TunnelMessages.ServiceIds(Services)));
            if (replaced is not null)
            {
                ResetStreamsTowards(Other(peer.End));
            }
        }

        replaced?.RequestClose(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "Replaced by a new connection of this tunnel end");
        return replaced is null ? AttachOutcome.Attached : AttachOutcome.Replaced;
    }

    /// <summary>Removes <paramref name="peer"/> if it is still current; the other end's streams are reset.</summary>
    public bool Detach(RelayPeer peer)
    {
        lock (_gate)
        {
            var state = End(peer.End);
            if (!ReferenceEquals(state.Peer, peer))
            {
                return false;
            }

            state.Peer = null;
            state.ConnectionChangedAt = _time.GetUtcNow();
            ResetStreamsTowards(Other(peer.End));
            return true;
        }
    }

    /// <summary>
    /// The connection of the other end, when <paramref name="peer"/> is still current and the other
    /// end is connected; else null. One lock per relayed message.
    /// </summary>
    public RelayPeer? ForwardTargetOf(RelayPeer peer)
    {
        lock (_gate)
        {
            return ReferenceEquals(End(peer.End).Peer, peer) ? End(Other(peer.End)).Peer : null;
        }
    }

    /// <summary>
    /// Ends the tunnel; returns the connections to close (with a close frame), or null when the
    /// tunnel had already ended.
    /// </summary>
    public List<RelayPeer>? Finish(RelayTunnelState state, string reason, DateTimeOffset now)
    {
        var peers = new List<RelayPeer>(2);
        lock (_gate)
        {
            if (State != RelayTunnelState.Open)
            {
                return null;
            }

            State = state;
            EndedAt = now;
            LastUpdatedAt = now;
            EndReason = reason;
            _streams.Clear();
            foreach (var end in new[] { _source, _destination })
            {
                if (end.Peer is { } peer)
                {
                    peers.Add(peer);
                    end.Peer = null;
                    end.ConnectionChangedAt = now;
                }
            }
        }

        ExpiryTimer?.Dispose();
        return peers;
    }

    /// <summary>Drops every connection without a close frame (gateway shutdown: proxies reconnect).</summary>
    public List<RelayPeer> DetachAll()
    {
        var peers = new List<RelayPeer>(2);
        lock (_gate)
        {
            foreach (var end in new[] { _source, _destination })
            {
                if (end.Peer is { } peer)
                {
                    peers.Add(peer);
                    end.Peer = null;
                }
            }

            _streams.Clear();
        }

        return peers;
    }
}
