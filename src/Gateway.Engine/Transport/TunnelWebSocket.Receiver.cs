using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Engine.Transport;

internal sealed partial class TunnelWebSocket
{
    private const int MaxControlPayload = 125;

    private readonly byte[] _controlPayload = new byte[MaxControlPayload];

    /// <summary>
    /// Reads frames until the connection ends. Binary payload bytes (whole messages or fragments)
    /// go into <paramref name="tunnelBytes"/> as one continuous byte stream, since tunnel frames may
    /// straddle WebSocket messages (docs/protocol.md section 5). A pending flush of that pipe means the
    /// consumer is behind: the loop stops reading the socket until it catches up. Control frames are
    /// handed to <paramref name="handler"/>; a close frame ends the loop.
    /// </summary>
    public async Task<ReceiveEnd> ReceiveLoopAsync(PipeWriter tunnelBytes, IWebSocketControlHandler handler, CancellationToken cancellationToken)
    {
        long payloadRemaining = 0;
        bool inMessage = false;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                bool wroteData = false;
                ReceiveEnd? end = null;
                while (true)
                {
                    if (payloadRemaining > 0)
                    {
                        if (buffer.IsEmpty)
                        {
                            break;
                        }

                        long take = Math.Min(payloadRemaining, buffer.Length);
                        foreach (var segment in buffer.Slice(0, take))
                        {
                            tunnelBytes.Write(segment.Span);
                        }

                        buffer = buffer.Slice(take);
                        payloadRemaining -= take;
                        wroteData = true;
                        continue;
                    }

                    var status = TryReadHeader(ref buffer, ref inMessage, out var frame, out var error);
                    if (status == HeaderStatus.NeedMore)
                    {
                        break;
                    }

                    if (status == HeaderStatus.Error)
                    {
                        end = new ReceiveEnd(ReceiveEndKind.ProtocolError, error);
                        break;
                    }

                    if (frame.Opcode is WebSocketOpcode.Binary or WebSocketOpcode.Continuation)
                    {
                        payloadRemaining = frame.Length;
                        continue;
                    }

                    if (buffer.Length < frame.Length)
                    {
                        // Control payloads are tiny: wait for all of it. Put the header back.
                        buffer = result.Buffer.Slice(result.Buffer.Length - buffer.Length - frame.HeaderLength);
                        break;
                    }

                    var payload = _controlPayload.AsSpan(0, (int)frame.Length);
                    buffer.Slice(0, frame.Length).CopyTo(payload);
                    buffer = buffer.Slice(frame.Length);
                    switch (frame.Opcode)
                    {
                        case WebSocketOpcode.Ping:
                            handler.OnPing(payload);
                            break;
                        case WebSocketOpcode.Pong:
                            handler.OnPong(payload);
                            break;
                        default:
                            end = ParseClose(payload);
                            break;
                    }

                    if (end is not null)
                    {
                        break;
                    }
                }

                _input.AdvanceTo(buffer.Start, result.Buffer.End);
                if (wroteData)
                {
                    var flush = tunnelBytes.FlushAsync(cancellationToken);
                    if (!flush.IsCompleted)
                    {
                        handler.OnReceivePaused(true);
                        await flush.ConfigureAwait(false);
                        handler.OnReceivePaused(false);
                    }
                }

                if (end is not null)
                {
                    return end.Value;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return new ReceiveEnd(ReceiveEndKind.Dropped, "the service closed the connection without a close frame");
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new ReceiveEnd(ReceiveEndKind.Cancelled, "stopped");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return new ReceiveEnd(ReceiveEndKind.Dropped, ex.InnerException?.Message ?? ex.Message);
        }
    }

    private static ReceiveEnd ParseClose(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            return new ReceiveEnd(ReceiveEndKind.CloseReceived, "the service closed the tunnel", 1005, string.Empty);
        }

        int code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        string reason;
        try
        {
            reason = new UTF8Encoding(false, true).GetString(payload[2..]);
        }
        catch (DecoderFallbackException)
        {
            reason = "(reason was not UTF-8)";
        }

        return new ReceiveEnd(ReceiveEndKind.CloseReceived, "the service closed the tunnel", code, reason);
    }

    private static HeaderStatus TryReadHeader(ref ReadOnlySequence<byte> buffer, ref bool inMessage, out FrameHeader frame, out string error)
    {
        frame = default;
        error = string.Empty;
        if (buffer.Length < 2)
        {
            return HeaderStatus.NeedMore;
        }

        Span<byte> head = stackalloc byte[10];
        int available = (int)Math.Min(buffer.Length, 10);
        buffer.Slice(0, available).CopyTo(head);
        byte b0 = head[0];
        byte b1 = head[1];
        bool fin = (b0 & 0x80) != 0;
        var opcode = (WebSocketOpcode)(b0 & 0x0F);
        if ((b0 & 0x70) != 0)
        {
            error = "the service set reserved WebSocket bits (no extension was negotiated)";
            return HeaderStatus.Error;
        }

        if ((b1 & 0x80) != 0)
        {
            error = "the service sent a masked frame (servers must not mask)";
            return HeaderStatus.Error;
        }

        int lengthCode = b1 & 0x7F;
        int headerLength = lengthCode == 126 ? 4 : lengthCode == 127 ? 10 : 2;
        if (available < headerLength)
        {
            return HeaderStatus.NeedMore;
        }

        long length = lengthCode switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(head[2..]),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(head[2..]),
            _ => lengthCode,
        };
        if (length < 0)
        {
            error = "the service sent a frame length above 2^63";
            return HeaderStatus.Error;
        }

        switch (opcode)
        {
            case WebSocketOpcode.Binary:
                if (inMessage)
                {
                    error = "the service started a new message before finishing the previous one";
                    return HeaderStatus.Error;
                }

                inMessage = !fin;
                break;
            case WebSocketOpcode.Continuation:
                if (!inMessage)
                {
                    error = "the service sent a continuation frame outside a message";
                    return HeaderStatus.Error;
                }

                inMessage = !fin;
                break;
            case WebSocketOpcode.Text:
                error = "the service sent a text frame (the protocol carries only binary frames)";
                return HeaderStatus.Error;
            case WebSocketOpcode.Ping or WebSocketOpcode.Pong or WebSocketOpcode.Close:
                if (!fin || length > MaxControlPayload)
                {
                    error = $"the service sent a malformed {opcode} frame (control frames are unfragmented and at most 125 bytes)";
                    return HeaderStatus.Error;
                }

                break;
            default:
                error = $"the service sent an unknown WebSocket opcode {(int)opcode}";
                return HeaderStatus.Error;
        }

        buffer = buffer.Slice(headerLength);
        frame = new FrameHeader(opcode, length, headerLength);
        return HeaderStatus.Ok;
    }

    private enum HeaderStatus
    {
        Ok,
        NeedMore,
        Error,
    }

    private readonly record struct FrameHeader(WebSocketOpcode Opcode, long Length, int HeaderLength);
}
