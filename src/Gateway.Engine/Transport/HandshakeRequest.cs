using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Transport;

/// <summary>
/// The upgrade request, byte for byte as the reference sends it (docs/protocol.md section 2 and
/// reference/handshake.txt): header order and case, Host without port, one subprotocol value.
/// </summary>
internal static class HandshakeRequest
{
    public const string AccessTokenHeader = "access-token";
    public const string ClientTokenHeader = "client-token";
    public const string ModeQueryParameter = "local-proxy-mode";

    /// <summary>Same shape as the reference's (<c>localproxy &lt;platform&gt; &lt;bits&gt;-bit/...</c>), naming our components.</summary>
    public static string UserAgent { get; } = string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"localproxy {Platform} {IntPtr.Size * 8}-bit/dotnet-{Environment.Version}/tunnelgateway-{typeof(HandshakeRequest).Assembly.GetName().Version?.ToString(3)}/protobuf-{typeof(Google.Protobuf.ByteString).Assembly.GetName().Version?.ToString(3)}");

    private static string Platform =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : RuntimeInformation.OSDescription;

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    public static byte[] Build(TunnelEndpoint endpoint, SessionMode mode, string subprotocol, string accessToken, string? clientToken, string key)
    {
        string host = endpoint.Host.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Host}]" : endpoint.Host;
        var builder = new StringBuilder(512);
        builder.Append("GET ").Append(endpoint.Path).Append('?').Append(ModeQueryParameter).Append('=').Append(mode.Name()).Append(" HTTP/1.1\r\n");
        builder.Append("Host: ").Append(host).Append("\r\n");
        builder.Append("Upgrade: websocket\r\n");
        builder.Append("Connection: upgrade\r\n");
        builder.Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n");
        builder.Append("Sec-WebSocket-Version: 13\r\n");
        builder.Append("Sec-WebSocket-Protocol: ").Append(subprotocol).Append("\r\n");
        builder.Append(AccessTokenHeader).Append(": ").Append(accessToken).Append("\r\n");
        if (!string.IsNullOrEmpty(clientToken))
        {
            builder.Append(ClientTokenHeader).Append(": ").Append(clientToken).Append("\r\n");
        }

        builder.Append("User-Agent: ").Append(UserAgent).Append("\r\n\r\n");
        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    /// <summary>The <c>Sec-WebSocket-Accept</c> value a server must answer for <paramref name="key"/>.</summary>
    public static string ExpectedAccept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
}
