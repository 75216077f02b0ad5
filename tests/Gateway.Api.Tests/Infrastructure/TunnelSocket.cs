using System.Buffers;
using System.Net.WebSockets;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>
/// A proxy stand-in speaking tunnel frames over a ClientWebSocket: one frame per message when
/// sending, any packing accepted when receiving (frames may span or share messages).
/// </summary>
internal sealed class TunnelSocket(ClientWebSocket socket) : IAsyncDisposable
{
    private readonly Queue<Message> _received = new();
    private byte[] _pending = [];

    public ClientWebSocket Socket { get; } = socket;

    public Task SendAsync(Message message) => SendRawAsync(FrameWriter.ToArray(message));

    public async Task SendRawAsync(byte[] bytes, bool endOfMessage = true, WebSocketMessageType type = WebSocketMessageType.Binary)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        await Socket.SendAsync(bytes, type, endOfMessage, cts.Token);
    }

    /// <summary>The next tunnel frame, waiting at most the test timeout.</summary>
    public async Task<Message> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        while (_received.Count == 0)
        {
            var message = await ReceiveMessageAsync(cts.Token);
            if (message is null)
            {
                throw new InvalidOperationException($"WebSocket closed ({Socket.CloseStatus} '{Socket.CloseStatusDescription}') while a tunnel frame was expected");
            }

            var bytes = new ReadOnlySequence<byte>([.. _pending, .. message]);
            while (FrameReader.TryRead(ref bytes, out var frame, out var error) is var status && status != FrameReadStatus.NeedMoreData)
            {
                Assert.True(status == FrameReadStatus.Message, error.ToString());
                _received.Enqueue(frame!);
            }

            _pending = bytes.ToArray();
        }

        return _received.Dequeue();
    }

    /// <summary>One whole WebSocket message's bytes, or null once the server closed.</summary>
    public async Task<byte[]?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        int length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return buffer[..length];
            }
        }
    }

    /// <summary>Reads until the server's close frame; returns its status and reason.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> ReceiveCloseAsync()
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        try
        {
            while (await ReceiveMessageAsync(cts.Token) is not null)
            {
            }
        }
        catch (WebSocketException)
        {
            return (null, null);
        }

        return (Socket.CloseStatus, Socket.CloseStatusDescription);
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server may already be gone.
            }
        }

        Socket.Dispose();
    }
}
