namespace Gateway.Engine.Transport;

/// <summary>An HTTP(S) web proxy for CONNECT (docs/protocol.md section 14). Port defaults to 3128.</summary>
/// <param name="Host">The proxy's host name or IP address, without brackets.</param>
/// <param name="Port">The proxy's TCP port.</param>
/// <param name="UseTls">True for an <c>https://</c> proxy: TLS to the proxy itself, then CONNECT inside it.</param>
/// <param name="UserName">The user for basic authentication to the proxy; null for none.</param>
/// <param name="Password">The password for basic authentication, empty when the URL gives none; null without a user. A secret, never shown.</param>
public sealed record WebProxyAddress(string Host, int Port, bool UseTls, string? UserName, string? Password)
{
    /// <summary>The port of a proxy address given without one.</summary>
    public const int DefaultPort = 3128;

    /// <summary>True when a user name was given, so CONNECT carries <c>Proxy-Authorization</c>.</summary>
    public bool HasCredentials => UserName is not null;

    /// <summary>Never shows the password.</summary>
    public override string ToString() =>
        $"{(UseTls ? "https" : "http")}://{(HasCredentials ? UserName + ":***@" : string.Empty)}{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
