namespace Gateway.Engine.Sessions;

/// <summary>How one WebSocket connection of a session ended.</summary>
internal enum LinkEndKind
{
    Closed,
    Dropped,
    ProtocolError,
    ConfigurationError,
    Stopped,
}
