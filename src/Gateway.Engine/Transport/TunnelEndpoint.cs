namespace Gateway.Engine.Transport;

/// <summary>The resolved service address: host (no brackets), port, TLS or plain, request path.</summary>
/// <param name="Host">The host name or IP address, without brackets; lower-cased by the validator (an IPv6 zone id kept as written).</param>
/// <param name="Port">The TCP port.</param>
/// <param name="UseTls">True for <c>wss://</c>, false for <c>ws://</c> (the built-in relay in development).</param>
/// <param name="Path">The request path of the upgrade, such as <c>/tunnel</c>.</param>
public sealed record TunnelEndpoint(string Host, int Port, bool UseTls, string Path)
{
    /// <summary>The port of an endpoint given without one.</summary>
    public const int DefaultPort = 443;

    /// <summary>The path of an endpoint given without one, as AWS serves it.</summary>
    public const string DefaultPath = "/tunnel";

    /// <summary>The endpoint as a URL: <c>wss://host:port/path</c>, an IPv6 host in brackets.</summary>
    public override string ToString() =>
        $"{(UseTls ? "wss" : "ws")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}{Path}";
}
