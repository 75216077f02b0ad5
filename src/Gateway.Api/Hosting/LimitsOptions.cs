namespace Gateway.Api.Hosting;

/// <summary>
/// Section <c>Gateway:Limits</c> (docs/deployment.md, Limits). By default the number of connections Kestrel
/// holds at once is derived from the process's open-file limit, so that a flood of idle connections ends in
/// refused connections rather than a process out of file descriptors.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>Connections (HTTP, HTTPS, WebSocket, all listeners together) held at once; null: derived from the open-file limit.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Descriptors kept for everything but incoming connections (sessions, their local connections, the database); null: a quarter of the limit, at least 128.</summary>
    public int? ReservedFileDescriptors { get; set; }
}
