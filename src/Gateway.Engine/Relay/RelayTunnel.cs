namespace Gateway.Engine.Relay;

/// <summary>
/// Runtime state of one relay tunnel: its two ends, the streams seen passing through it, and its
/// counters. Every mutation happens under <see cref="_gate"/>; no I/O is awaited under it.
/// </summary>
internal sealed partial class RelayTunnel
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly HashSet<string> _serviceSet;
    private readonly byte[][] _servicesUtf8;
    private readonly EndState _source;
    private readonly EndState _destination;
    private long _bytesSourceToDestination;
    private long _bytesDestinationToSource;

    public RelayTunnel(TunnelRecord record, TimeProvider time)
    {
        _time = time;
        Id = record.Id;
        Description = record.Description;
        ThingName = record.ThingName;
        _tags = [.. record.Tags];
        LastUpdatedAt = record.LastUpdatedAt ?? record.CreatedAt;
        Services = [.. record.Services];
        _serviceSet = new HashSet<string>(Services, StringComparer.Ordinal);
        _servicesUtf8 = [.. Services.Select(System.Text.Encoding.UTF8.GetBytes)];
        CreatedAt = record.CreatedAt;
        ExpiresAt = record.ExpiresAt;
        State = record.State;
        EndedAt = record.EndedAt;
        EndReason = record.EndReason;
        _source = new EndState(record.Source, record.CreatedAt);
        _destination = new EndState(record.Destination, record.CreatedAt);
        _bytesSourceToDestination = record.BytesSourceToDestination;
        _bytesDestinationToSource = record.BytesDestinationToSource;
    }

    public string Id { get; }

    public string? Description { get; }

    public string? ThingName { get; private set; }

    public string[] Services { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset ExpiresAt { get; }

    public RelayTunnelState State { get; private set; }

    /// <summary>Last change of the tunnel itself (open, close, rotation, tags).</summary>
    public DateTimeOffset LastUpdatedAt { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    public string? EndReason { get; private set; }

    /// <summary>Fires when the tunnel's lifetime is over; disposed when the tunnel ends.</summary>
    public ITimer? ExpiryTimer { get; set; }

    public bool HasService(string serviceId) => _serviceSet.Contains(serviceId);

    /// <summary>The same question for a DATA frame read in place (its id as UTF-8), without decoding it.</summary>
    public bool HasService(in Protocol.DataFrame frame)
    {
        foreach (var service in _servicesUtf8)
        {
            if (frame.ServiceIdEquals(service))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index of the DATA frame's service id in <see cref="Services"/>; -1 when absent or unknown.</summary>
    public int ServiceIndex(in Protocol.DataFrame frame)
    {
        for (int i = 0; i < _servicesUtf8.Length; i++)
        {
            if (frame.ServiceIdEquals(_servicesUtf8[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of <paramref name="serviceId"/> in <see cref="Services"/>; -1 when absent or unknown.</summary>
    public int ServiceIndex(string serviceId) => string.IsNullOrEmpty(serviceId) ? -1 : Array.IndexOf(Services, serviceId);

    public bool OwnsTokenHash(TunnelEnd end, string tokenHash)
    {
        lock (_gate)
        {
            return string.Equals(End(end).AccessTokenHash, tokenHash, StringComparison.Ordinal);
        }
    }

    public void CountForwarded(TunnelEnd from, int bytes)
    {
        if (from == TunnelEnd.Source)
        {
            Interlocked.Add(ref _bytesSourceToDestination, bytes);
        }
        else
        {
            Interlocked.Add(ref _bytesDestinationToSource, bytes);
        }
    }

    public TunnelRecord ToRecord()
    {
        lock (_gate)
        {
            return new TunnelRecord
            {
                Id = Id,
                Description = Description,
                ThingName = ThingName,
                Tags = [.. _tags],
                LastUpdatedAt = LastUpdatedAt,
                Services = Services,
                CreatedAt = CreatedAt,
                ExpiresAt = ExpiresAt,
                State = State,
                EndedAt = EndedAt,
                EndReason = EndReason,
                Source = _source.ToRecord(),
                Destination = _destination.ToRecord(),
                BytesSourceToDestination = Interlocked.Read(ref _bytesSourceToDestination),
                BytesDestinationToSource = Interlocked.Read(ref _bytesDestinationToSource),
            };
        }
    }

    public RelayTunnelSnapshot ToSnapshot()
    {
        lock (_gate)
        {
            return new RelayTunnelSnapshot(
                Id,
                Description,
                Services,
                State,
                CreatedAt,
                ExpiresAt,
                EndedAt,
                EndReason,
                _source.ToSnapshot(),
                _destination.ToSnapshot(),
                Interlocked.Read(ref _bytesSourceToDestination),
                Interlocked.Read(ref _bytesDestinationToSource))
            {
                ThingName = ThingName,
                Tags = [.. _tags],
                LastUpdatedAt = LastUpdatedAt,
            };
        }
    }

    private EndState End(TunnelEnd end) => end == TunnelEnd.Source ? _source : _destination;

    private static TunnelEnd Other(TunnelEnd end) => end == TunnelEnd.Source ? TunnelEnd.Destination : TunnelEnd.Source;

    /// <summary>Token and connection state of one end.</summary>
    private sealed class EndState(TunnelEndRecord record, DateTimeOffset createdAt)
    {
        public string AccessTokenHash { get; set; } = record.AccessTokenHash;

        public DateTimeOffset ConnectionChangedAt { get; set; } = record.ConnectionChangedAt ?? createdAt;

        public bool Used { get; set; } = record.Used;

        public string? ClientTokenHash { get; set; } = record.ClientTokenHash;

        public RelayPeer? Peer { get; set; }

        public int Connections { get; set; }

        public TunnelEndRecord ToRecord() => new(AccessTokenHash, Used, ClientTokenHash, ConnectionChangedAt);

        public RelayEndSnapshot ToSnapshot() => new(
            Peer is not null,
            Peer?.ConnectedAt,
            Used,
            Peer?.ChannelId,
            Peer?.RemoteAddress,
            Connections)
        {
            LastUpdatedAt = ConnectionChangedAt,
            ThrottledMs = Peer?.Throttled.TotalMilliseconds ?? 0,
        };
    }
}
