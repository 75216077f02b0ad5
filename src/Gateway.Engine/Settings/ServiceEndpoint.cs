namespace Gateway.Engine.Settings;

/// <summary>
/// Where a service lives locally. Source: a listen port (0 = ephemeral). Destination: a TCP
/// endpoint (<see cref="Host"/> null means the bind address or 127.0.0.1) or a unix socket path.
/// </summary>
public sealed record ServiceEndpoint
{
    /// <summary>Destination: the host name or IP address (without brackets) to connect to; null for the bind address or 127.0.0.1. Unused by a source.</summary>
    public string? Host { get; init; }

    /// <summary>Source: the local port to listen on, 0 for an ephemeral one. Destination: the TCP port to connect to.</summary>
    public int Port { get; init; }

    /// <summary>Unix domain socket path; when set, host and port are unused.</summary>
    public string? UnixSocketPath { get; init; }

    /// <summary>True when the service is a unix domain socket (<see cref="UnixSocketPath"/> is set).</summary>
    public bool IsUnixSocket => UnixSocketPath is not null;

    /// <summary>An endpoint of <paramref name="port"/> alone: a source's listen port, or a destination's port on the default host.</summary>
    /// <param name="port">The TCP port; 0 lets a source listen on an ephemeral port.</param>
    public static ServiceEndpoint ForPort(int port) => new() { Port = port };

    /// <summary>The endpoint as a service map writes it: the socket path, the port alone, <c>host:port</c>, or <c>[v6]:port</c> for an IPv6 address.</summary>
    public override string ToString() => UnixSocketPath
        ?? (Host is null ? Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}");
}
