namespace Gateway.Engine.Proxy;

/// <summary>
/// Where a service lives locally. Source: a listen port (0 = ephemeral). Destination: a TCP
/// endpoint (<see cref="Host"/> null means the bind address or 127.0.0.1) or a unix socket path.
/// </summary>
public sealed record ServiceEndpoint
{
    public string? Host { get; init; }

    public int Port { get; init; }

    /// <summary>Unix domain socket path; when set, host and port are unused.</summary>
    public string? UnixSocketPath { get; init; }

    public bool IsUnixSocket => UnixSocketPath is not null;

    public static ServiceEndpoint ForPort(int port) => new() { Port = port };

    public override string ToString() => UnixSocketPath
        ?? (Host is null ? Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}");
}
