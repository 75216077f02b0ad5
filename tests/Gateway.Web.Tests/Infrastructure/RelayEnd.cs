using System.Net.WebSockets;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// One end of a relay tunnel as a proxy connects it: a WebSocket to <c>/tunnel</c> with the end's
/// access token, offering protocol V3. Reads until the relay closes it.
/// </summary>
internal sealed class RelayEnd : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private RelayEnd(ClientWebSocket socket) => _socket = socket;

    public static async Task<RelayEnd> ConnectAsync(TestGateway gateway, string mode, string accessToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("aws.iot.securetunneling-3.0");
        socket.Options.SetRequestHeader("access-token", accessToken);
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(gateway.Certificate.RawData);
        using var cts = new CancellationTokenSource(Bounds.Step);
        await socket.ConnectAsync(new Uri($"{gateway.RelayEndpoint}/tunnel?local-proxy-mode={mode}"), cts.Token);
        return new RelayEnd(socket);
    }

    /// <summary>Reads (and drops the frames) until the relay's close frame; its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(Bounds.Step);
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return _socket.CloseStatus;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var cts = new CancellationTokenSource(Bounds.Step);
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (WebSocketException)
            {
            }
        }

        _socket.Dispose();
    }
}
