using System.Collections.Concurrent;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Sessions;

/// <summary>
/// The stream and connection state of one link: its services (one <see cref="ServiceChannel"/>
/// per service id), each service's current stream and local connections, and the message format
/// in use. Every change happens under the table's lock; a change that also queues frames (a
/// STREAM_START, a reset) takes <see cref="EnterScope"/> so the frames leave in the order of the
/// changes. The data path only reads: the channel list is replaced whole, and each channel's
/// connection table is concurrent. Connections closed from any thread are retired here and their
/// output completed on the dispatcher (<see cref="DrainRetired"/>), the only writer of that output.
/// </summary>
internal sealed class StreamTable(MessageFormat format, bool isSource, SessionLog log)
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<LocalConnection> _retired = new();
    private List<ServiceChannel> _channels = [];
    private MessageFormat _format = format;
    private volatile bool _ready;

    /// <summary>The services of the last SERVICE_IDS (none before it).</summary>
    public IReadOnlyList<ServiceChannel> Channels => Volatile.Read(ref _channels);

    /// <summary>The message format in use; a source speaking V3 falls back to V2 for a V2 peer.</summary>
    public MessageFormat Format => _format;

    public bool IsSource { get; } = isSource;

    /// <summary>SERVICE_IDS arrived and was applied, and the link has not ended: new connections are taken.</summary>
    public bool IsReady
    {
        get => _ready;
        set => _ready = value;
    }

    /// <summary>The table's lock, for a change of several steps (re-entrant: the methods below take it too).</summary>
    public Lock.Scope EnterScope() => _gate.EnterScope();

    /// <summary>The channel a DATA frame read in place names; with no service id, the only one (V1).</summary>
    public ServiceChannel? Find(in DataFrame frame)
    {
        var channels = Channels;
        if (frame.ServiceIdUtf8.IsEmpty)
        {
            return channels.Count == 1 ? channels[0] : null;
        }

        foreach (var channel in channels)
        {
            if (channel.ServiceId is not null && frame.ServiceIdEquals(channel.ServiceIdUtf8))
            {
                return channel;
            }
        }

        return null;
    }

    /// <summary>The channel of <paramref name="serviceId"/>; with none, the only one (V1).</summary>
    public ServiceChannel? Find(string serviceId)
    {
        var channels = Channels;
        if (string.IsNullOrEmpty(serviceId))
        {
            // V1 peers send no service id: the single service is meant (docs/protocol.md section 9).
            return channels.Count == 1 ? channels[0] : null;
        }

        foreach (var channel in channels)
        {
            if (string.Equals(channel.ServiceId, serviceId, StringComparison.Ordinal))
            {
                return channel;
            }
        }

        return null;
    }

    /// <summary>The live connection a DATA frame is for, or null (unknown service, stale stream, closing connection).</summary>
    public LocalConnection? FindDataTarget(in DataFrame frame)
    {
        var channel = Find(frame);
        if (channel is null || frame.StreamId == 0 || frame.StreamId != channel.CurrentStreamId)
        {
            return null;
        }

        LocalConnection? connection;
        if (frame.ConnectionId == 0)
        {
            if (IsSource && _format == MessageFormat.V3)
            {
                Downgrade("DATA without a connection id");
            }

            connection = SingleConnection(channel);
        }
        else
        {
            channel.Connections.TryGetValue(frame.ConnectionId, out connection);
        }

        return connection is null || connection.IsClosing ? null : connection;
    }

    /// <summary>The connection a user names by its key (service.id), or null.</summary>
    public LocalConnection? FindByKey(string key)
    {
        foreach (var channel in Channels)
        {
            foreach (var connection in channel.Connections.Values)
            {
                if (string.Equals(connection.Key, key, StringComparison.Ordinal))
                {
                    return connection;
                }
            }
        }

        return null;
    }

    /// <summary>Local connections open in every service.</summary>
    public int CountConnections()
    {
        int open = 0;
        foreach (var channel in Channels)
        {
            open += channel.Connections.Count;
        }

        return open;
    }

    /// <summary>Closes every connection of the channel's stream and re-arms it.</summary>
    public void CloseStream(ServiceChannel channel, bool graceful)
    {
        using (_gate.EnterScope())
        {
            foreach (var connection in channel.Connections.Values)
            {
                if (graceful)
                {
                    connection.CloseGracefully();
                }
                else
                {
                    connection.Abort();
                }

                _retired.Enqueue(connection);
            }

            channel.Connections.Clear();
            channel.CurrentStreamId = 0;
            channel.StreamAlive = false;
        }
    }

    /// <summary>Closes every stream of every service (SESSION_RESET); returns how many connections it closed.</summary>
    public int CloseAllStreams()
    {
        int closed = 0;
        using (_gate.EnterScope())
        {
            foreach (var channel in _channels)
            {
                closed += channel.Connections.Count;
                CloseStream(channel, graceful: true);
            }
        }

        return closed;
    }

    /// <summary>
    /// Makes <paramref name="mapping"/> the services: a service whose id and endpoint did not
    /// change keeps its channel and live stream; the others' streams close. Returns the dropped channels.
    /// </summary>
    public List<ServiceChannel> Replace(IReadOnlyList<ServiceMapping> mapping)
    {
        using (_gate.EnterScope())
        {
            var previous = _channels;
            var next = new List<ServiceChannel>(mapping.Count);
            foreach (var entry in mapping)
            {
                var kept = previous.FirstOrDefault(c => string.Equals(c.ServiceId, entry.ServiceId, StringComparison.Ordinal) && c.Endpoint == entry.Endpoint);
                next.Add(kept ?? new ServiceChannel(entry.ServiceId, entry.Endpoint, TunnelWriter.CreateLane()));
            }

            var removed = previous.Where(p => !next.Contains(p)).ToList();
            foreach (var channel in removed)
            {
                CloseStream(channel, graceful: false);
                DetachListener(channel);
            }

            Volatile.Write(ref _channels, next);
            return removed;
        }
    }

    /// <summary>At the link's end: unhooks the listeners and hands every connection over, emptying the table.</summary>
    public List<LocalConnection> TakeAll()
    {
        var all = new List<LocalConnection>();
        using (_gate.EnterScope())
        {
            foreach (var channel in _channels)
            {
                DetachListener(channel);
                all.AddRange(channel.Connections.Values);
                channel.Connections.Clear();
            }
        }

        return all;
    }

    /// <summary>A connection that left the table: its output is completed on the dispatcher.</summary>
    public void Retire(LocalConnection connection) => _retired.Enqueue(connection);

    /// <summary>Dispatcher thread: completes the output of the connections retired since the last call.</summary>
    public void DrainRetired()
    {
        while (_retired.TryDequeue(out var connection))
        {
            connection.CompleteWriter();
        }
    }

    /// <summary>The serviceId of stream-level messages we originate on this channel.</summary>
    public string? StreamServiceId(ServiceChannel channel) =>
        IsSource ? (_format == MessageFormat.V1 ? null : channel.ServiceId) : (channel.MirrorServiceId ? channel.ServiceId : null);

    public IReadOnlyList<ServiceSnapshot> Snapshot()
    {
        var channels = Channels;
        var services = new List<ServiceSnapshot>(channels.Count);
        foreach (var channel in channels)
        {
            var connections = channel.Connections.Values.Select(c => new ConnectionSnapshot(c.Key, c.Id, c.StreamId, c.LocalPeer, c.Connecting, c.BytesFromLocal, c.BytesToLocal, c.OpenedAt)).OrderBy(c => c.ConnectionId).ToList();
            string endpoint = channel.Listener is { } listener ? listener.EndPoint.ToString() : channel.Endpoint.ToString();
            services.Add(new ServiceSnapshot(channel.ServiceId, endpoint, channel.Listener?.Port, channel.CurrentStreamId, connections));
        }

        return services;
    }

    /// <summary>How log lines name a service.</summary>
    public static string Name(ServiceChannel? channel) => channel?.ServiceId is { } id ? $"service {id}" : "the service";

    private static void DetachListener(ServiceChannel channel)
    {
        if (channel.Listener is { } listener && ReferenceEquals(listener.Target, channel))
        {
            listener.Target = null;
        }
    }

    private static LocalConnection? SingleConnection(ServiceChannel channel)
    {
        if (channel.Connections.TryGetValue(0, out var connection))
        {
            return connection;
        }

        LocalConnection? oldest = null;
        foreach (var candidate in channel.Connections.Values)
        {
            if (candidate.StreamId == channel.CurrentStreamId && (oldest is null || candidate.Id < oldest.Id))
            {
                oldest = candidate;
            }
        }

        return oldest;
    }

    private void Downgrade(string why)
    {
        using (_gate.EnterScope())
        {
            if (_format != MessageFormat.V3)
            {
                return;
            }

            _format = MessageFormat.V2;
            foreach (var channel in _channels)
            {
                foreach (var connection in channel.Connections.Values)
                {
                    connection.WireConnectionId = 0;
                }
            }
        }

        log.Info(SessionLogEvents.SwitchedToV2, $"the peer speaks V2 ({why}): switching to the V2 message format, one connection per stream");
    }
}
