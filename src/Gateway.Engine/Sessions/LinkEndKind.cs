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

    /// <summary>
    /// The writer's bound on control frames (<see cref="TunnelWriter.ControlQueueCapacity"/>) was
    /// reached: the service asks for answers (pings) faster than it takes them. Handled like a
    /// dropped connection (reconnect, or fail without <c>reconnect_on_data_error</c>).
    /// </summary>
    ControlQueueFull,
}
