namespace Gateway.Engine.Transport;

/// <summary>An HTTP(S) web proxy for CONNECT (docs/protocol.md section 14). Port defaults to 3128.</summary>
public sealed record WebProxyAddress(string Host, int Port, bool UseTls, string? UserName, string? Password)
{
    public const int DefaultPort = 3128;

    public bool HasCredentials => UserName is not null;

    /// <summary>Never shows the password.</summary>
    public override string ToString() =>
        $"{(UseTls ? "https" : "http")}://{(HasCredentials ? UserName + ":***@" : string.Empty)}{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
