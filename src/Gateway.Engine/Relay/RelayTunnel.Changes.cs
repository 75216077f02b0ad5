namespace Gateway.Engine.Relay;

internal sealed partial class RelayTunnel
{
    private List<TunnelTag> _tags;

    /// <summary>Held while a change of this tunnel is saved, so two changes are saved in order.</summary>
    public SemaphoreSlim PersistGate { get; } = new(1, 1);

    /// <summary>The current access-token hash of each end.</summary>
    public (string Source, string Destination) TokenHashes()
    {
        lock (_gate)
        {
            return (_source.AccessTokenHash, _destination.AccessTokenHash);
        }
    }

    /// <summary>
    /// Gives the chosen ends new token hashes: the old tokens stop working at once, the new ones are
    /// unused (so they may be used once, with any client token). Returns the connections that were
    /// using the revoked tokens, for the caller to close; null when the tunnel has ended.
    /// </summary>
    public List<RelayPeer>? ReplaceTokens(string? sourceHash, string? destinationHash, string? thingName, DateTimeOffset now)
    {
        var revoked = new List<RelayPeer>(2);
        lock (_gate)
        {
            if (State != RelayTunnelState.Open)
            {
                return null;
            }

            Replace(_source, sourceHash, TunnelEnd.Source);
            Replace(_destination, destinationHash, TunnelEnd.Destination);
            ThingName = thingName ?? ThingName;
            LastUpdatedAt = now;
        }

        return revoked;

        void Replace(EndState end, string? hash, TunnelEnd which)
        {
            if (hash is null)
            {
                return;
            }

            end.AccessTokenHash = hash;
            end.Used = false;
            end.ClientTokenHash = null;
            if (end.Peer is { } peer)
            {
                revoked.Add(peer);
                end.Peer = null;
                end.ConnectionChangedAt = now;
                ResetStreamsTowards(Other(which));
            }
        }
    }

    /// <summary>Adds or replaces tags (by key); false when the result would exceed the tag limit.</summary>
    public bool ApplyTags(IReadOnlyList<TunnelTag> added, DateTimeOffset now)
    {
        lock (_gate)
        {
            var merged = TunnelRules.Merge(_tags, added);
            if (merged.Count > TunnelRules.MaxTags)
            {
                return false;
            }

            _tags = [.. merged];
            LastUpdatedAt = now;
            return true;
        }
    }

    /// <summary>Removes the tags with these keys (unknown keys are ignored, as at AWS).</summary>
    public void RemoveTags(IReadOnlyCollection<string> keys, DateTimeOffset now)
    {
        lock (_gate)
        {
            _tags.RemoveAll(t => keys.Contains(t.Key));
            LastUpdatedAt = now;
        }
    }
}
