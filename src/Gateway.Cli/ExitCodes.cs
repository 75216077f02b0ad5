namespace Gateway.Cli;

/// <summary>
/// The process exit codes (README, docs/cli.md). Usage errors exit 1 as in the reference; the
/// reference exits 0 for a rejected handshake and 1 for every other failure, ours tell a script what happened.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Stopped by SIGTERM/SIGINT, tunnel closed or expired by the service, or --help/--version/--export-default-settings.</summary>
    public const int Ok = 0;

    /// <summary>A file could not be read or parsed (--config, --settings-json, --config-dir), or the tunnel's service ids do not fit the local configuration.</summary>
    public const int ConfigurationError = 1;

    /// <summary>Bad usage: an option (from the command line, a --config file or the environment) is missing, conflicting or invalid (1, as the reference; the message ends with the --help hint).</summary>
    public const int UsageError = 1;

    /// <summary>The service rejected the WebSocket handshake (HTTP 4xx: bad, used or expired token, wrong mode).</summary>
    public const int HandshakeRejected = 3;

    /// <summary>The service could not be reached within websocket.connect_retry_count attempts, or the connection dropped with websocket.reconnect_on_data_error false.</summary>
    public const int ServiceUnavailable = 4;

    /// <summary>A source listen port is in use or cannot be bound.</summary>
    public const int PortUnavailable = 5;

    /// <summary>An unexpected internal error (a bug: please report it).</summary>
    public const int InternalError = 70;

    /// <summary>A second SIGTERM/SIGINT arrived while stopping: exited at once without finishing the stop.</summary>
    public const int Forced = 130;
}
