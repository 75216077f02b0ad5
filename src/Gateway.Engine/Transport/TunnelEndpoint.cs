namespace Gateway.Engine.Transport;

/// <summary>The resolved service address: host (no brackets), port, TLS or plain, request path.</summary>
public sealed record TunnelEndpoint(string Host, int Port, bool UseTls, string Path)
{
    public const int DefaultPort = 443;

    public const string DefaultPath = "/tunnel";

    public override string ToString() =>
        $"{(UseTls ? "wss" : "ws")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}{Path}";
}
