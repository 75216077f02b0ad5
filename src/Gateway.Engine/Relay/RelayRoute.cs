namespace Gateway.Engine.Relay;

/// <summary>
/// The connection a forwarded message's frames belong to: service (index in the tunnel's list,
/// -1 for none), stream and connection id. V1/V2 frames (no connection id) key on the service
/// alone, since there a new stream must not overtake the old one's last frames.
/// </summary>
internal readonly record struct RelayLaneKey(int Service, int Stream, uint Connection)
{
    public static RelayLaneKey Of(int service, int stream, uint connection) =>
        connection == 0 ? new(service, 0, 0) : new(service, stream, connection);
}

/// <summary>Where a message goes in the other peer's queue: a connection's lane, or a barrier ordered against all of them.</summary>
internal readonly record struct RelayRoute(RelayLaneKey Key, bool Barrier);
