namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>What a <see cref="WsEvent"/> recorded.</summary>
public enum WsEventKind
{
    /// <summary>A complete binary message (possibly reassembled from several frames).</summary>
    Binary,

    /// <summary>A complete text message.</summary>
    Text,

    /// <summary>A ping control frame.</summary>
    Ping,

    /// <summary>A pong control frame.</summary>
    Pong,

    /// <summary>A close control frame.</summary>
    Close,

    /// <summary>The TCP connection ended (EOF, reset, or closed/aborted by the fake). Always the last event.</summary>
    Disconnected,
}
