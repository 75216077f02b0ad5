using System.Buffers;
using System.Net.WebSockets;

namespace Gateway.Engine.Relay;

internal sealed partial class RelayPeer
{
    // The only writer of the socket. Each queued item is one WebSocket message. When the queue is
    // completed by RequestClose, what is queued is still sent, then the close frame.
    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var queue = _outbound;

        // The scheduler reuses its waiter (no allocation per wait); cancellation completes the
        // queue instead, which ends the wait the same way.
        using var stop = cancellationToken.Register(static state => ((RelayPeer)state!)._outbound.Complete(), this);
        try
        {
            while (true)
            {
                var wait = queue.WaitToReadAsync();
                bool woken = !wait.IsCompleted;
                bool more = await wait.ConfigureAwait(false);

                // The queue runs continuations synchronously. Woken by ForwardAsync, send from its
                // thread: no thread hop, and the receiving side's pooled async state is completed on
                // the thread that started it (a hop made those pools miss: ~150-800 B per message).
                // Woken by anything else (a control frame queued under the tunnel lock, completion
                // by a close, an abort or the host), continue on the thread pool as before.
                if (woken && _forwardingTo != this)
                {
                    await Task.Yield();
                }

                if (!more)
                {
                    break;
                }

                while (queue.TryDequeue(out var item))
                {
                    try
                    {
                        if (_throttle is { } throttle && item.Pooled)
                        {
                            await throttle.TakeAsync(item.Length, cancellationToken).ConfigureAwait(false);
                        }

                        await _socket.SendAsync(item.Buffer.AsMemory(0, item.Length), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        if (item.Pooled)
                        {
                            ArrayPool<byte>.Shared.Return(item.Buffer);
                            ReleaseSlots(item);
                        }
                    }
                }
            }

            if (Volatile.Read(ref _closeRequested) != 0 && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            Log.PeerGone(_logger, TunnelId, End, ChannelId, ex.Message);
        }
    }
}
