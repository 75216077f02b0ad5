using Gateway.Engine.Protocol;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Transport;

/// <summary>What one connect attempt to the tunnel service needs: where, through what, and as whom.</summary>
/// <param name="Endpoint">The service's URL.</param>
/// <param name="WebProxy">The HTTP(S) proxy to CONNECT through; null for a direct connection.</param>
/// <param name="Settings">The proxy settings (frame size, subprotocol).</param>
/// <param name="Mode">The tunnel end this is, sent as the handshake's mode.</param>
/// <param name="AccessToken">The end's access token.</param>
/// <param name="ClientToken">The client token sent with it.</param>
/// <param name="SkipTlsVerify">Accept any server certificate (the reference's <c>--no-ssl-host-verify</c>).</param>
internal sealed record ConnectRequest(
    TunnelEndpoint Endpoint,
    WebProxyAddress? WebProxy,
    ProxySettings Settings,
    SessionMode Mode,
    string AccessToken,
    string ClientToken,
    bool SkipTlsVerify);
