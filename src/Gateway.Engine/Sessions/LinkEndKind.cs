namespace Gateway.Engine.Sessions;

/// <summary>How one WebSocket connection of a session ended.</summary>
internal enum LinkEndKind
{
    Closed,
    Dropped,
    ProtocolError,
    ConfigurationError,

    /// <summary>A source port the services need cannot be listened on (another program has it).</summary>
    PortUnavailable,
    Stopped,

    /// <summary>A bug in the engine: the session ends visibly instead of hanging.</summary>
    Internal,
}
