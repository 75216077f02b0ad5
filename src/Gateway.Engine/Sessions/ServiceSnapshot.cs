namespace Gateway.Engine.Sessions;

/// <summary>One service of a session: its listener (source) or endpoint (destination), current stream and connections.</summary>
public sealed record ServiceSnapshot(
    string? ServiceId,
    string Endpoint,
    int? ListenPort,
    int StreamId,
    IReadOnlyList<ConnectionSnapshot> Connections);
