using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Gateway.Engine.Logging;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Engine.Relay;

internal sealed partial class RelayPeer
{
    private const int InitialReceiveBufferSize = 16 * 1024;
    private const string TextRefusal = "text frames are not allowed; send binary frames";

    // The size of the last message (at least the initial size): the next buffer is rented that
    // large, so a stream of full DATA messages is received in one piece without regrowing.
    private int _receiveSizeHint = InitialReceiveBufferSize;

    private readonly List<Message> _frames = [];
    private byte[]? _carry;
    private int _carryLength;
    private ServiceIdUsage _serviceIdUsage;

    // The route of the message being validated: the one connection all its frames belong to, or a barrier.
    private RelayLaneKey _routeKey;
    private bool _routed;
    private bool _barrier;

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                bool emptyMessage = false;
                if (buffer is null)
                {
                    // Idle peers hold no buffer: wait for the next message with a zero-byte read.
                    var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    if (peek.MessageType == WebSocketMessageType.Close)
                    {
                        Log.PeerClosed(_logger, TunnelId, End, ChannelId, (int?)_socket.CloseStatus, LogText.Escape(_socket.CloseStatusDescription));
                        return;
                    }

                    buffer = ArrayPool<byte>.Shared.Rent(_receiveSizeHint);

                    // A message with an empty payload is consumed whole by the zero-byte read.
                    if (peek.EndOfMessage)
                    {
                        if (peek.MessageType == WebSocketMessageType.Text)
                        {
                            ViolationOutcome(buffer, WebSocketCloseStatus.InvalidMessageType, TextRefusal);
                            return;
                        }

                        emptyMessage = true;
                    }
                }

                int length = 0;
                if (!emptyMessage)
                {
                    (var outcome, length) = await ReceiveMessageAsync(buffer, cancellationToken).ConfigureAwait(false);
                    buffer = outcome.Buffer;
                    if (outcome.Stop)
                    {
                        return;
                    }
                }

                _receiveSizeHint = Math.Min(Math.Max(length + 1, InitialReceiveBufferSize), _options.MaxMessageSize + 1);
                if (Validate(buffer, length, out var plan) is { } violation)
                {
                    Log.ProtocolViolation(_logger, TunnelId, End, ChannelId, violation);
                    RequestClose(WebSocketCloseStatus.PolicyViolation, Truncate(violation));
                    return;
                }

                if (await RelayAsync(buffer, plan, cancellationToken).ConfigureAwait(false))
                {
                    buffer = null; // ownership moved to the other peer's send queue
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            Log.PeerGone(_logger, TunnelId, End, ChannelId, ex.Message);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (_carry is not null)
            {
                ArrayPool<byte>.Shared.Return(_carry);
                _carry = null;
            }

            // Tell the other end as soon as this one is gone, not after the close handshake.
            _tunnel.Detach(this);
        }
    }

    // Reads one whole WebSocket message (fragments reassembled) into buffer, growing it up to
    // the message limit. Text frames and over-long messages close the socket.
    // Pooled builders: awaiting a receive or a slot allocates no state-machine box per message.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ReceiveOutcome Outcome, int Length)> ReceiveMessageAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int max = _options.MaxMessageSize;
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max)
                {
                    return (ViolationOutcome(buffer, WebSocketCloseStatus.MessageTooBig, $"WebSocket message exceeds {max} bytes"), 0);
                }

                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            int room = Math.Min(buffer.Length, max + 1) - length;
            var result = await _socket.ReceiveAsync(buffer.AsMemory(length, room), cancellationToken).ConfigureAwait(false);
            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    Log.PeerClosed(_logger, TunnelId, End, ChannelId, (int?)_socket.CloseStatus, LogText.Escape(_socket.CloseStatusDescription));
                    return (new ReceiveOutcome(buffer, Stop: true), 0);
                case WebSocketMessageType.Text:
                    return (ViolationOutcome(buffer, WebSocketCloseStatus.InvalidMessageType, TextRefusal), 0);
            }

            length += result.Count;
            if (length > max)
            {
                return (ViolationOutcome(buffer, WebSocketCloseStatus.MessageTooBig, $"WebSocket message exceeds {max} bytes"), 0);
            }

            if (result.EndOfMessage)
            {
                return (new ReceiveOutcome(buffer, Stop: false), length);
            }
        }
    }

    private ReceiveOutcome ViolationOutcome(byte[] buffer, WebSocketCloseStatus status, string reason)
    {
        Log.ProtocolViolation(_logger, TunnelId, End, ChannelId, reason);
        RequestClose(status, reason);
        return new ReceiveOutcome(buffer, Stop: true);
    }

    // Parses every complete frame of the message (after the bytes carried over from the previous
    // message: frames may straddle messages) into _frames and checks each, and plans what to
    // forward: only whole, checked frames ever reach the other end. A partial frame at the end is
    // kept back until its last byte has arrived and been checked; it dies with this connection,
    // so a reconnecting end cannot have the other end read its next frame as the rest of an old
    // one. Common case (whole frames, nothing carried): the message is forwarded as it came.
    private string? Validate(byte[] buffer, int length, out ForwardPlan plan)
    {
        _frames.Clear();
        _routed = false;
        _barrier = false;
        plan = default;
        int carried = _carryLength;
        ReadOnlySequence<byte> bytes;
        byte[]? combined = null;
        if (carried > 0)
        {
            combined = ArrayPool<byte>.Shared.Rent(carried + length);
            _carry.AsSpan(0, carried).CopyTo(combined);
            buffer.AsSpan(0, length).CopyTo(combined.AsSpan(carried));
            bytes = new ReadOnlySequence<byte>(combined, 0, carried + length);
        }
        else
        {
            bytes = new ReadOnlySequence<byte>(buffer, 0, length);
        }

        long total = bytes.Length;
        int firstFrameEnd = 0;
        try
        {
            while (true)
            {
                // DATA (the bulk) is checked in place; nothing to track or refuse for it later.
                if (FrameReader.TryReadData(ref bytes, out var data))
                {
                    if (RelayFrameRules.CheckData(data, _tunnel, ref _serviceIdUsage) is { } dataViolation)
                    {
                        return dataViolation;
                    }

                    Route(RelayLaneKey.Of(_tunnel.ServiceIndex(data), data.StreamId, data.ConnectionId));
                    firstFrameEnd = firstFrameEnd == 0 ? (int)(total - bytes.Length) : firstFrameEnd;
                    continue;
                }

                var status = FrameReader.TryRead(ref bytes, out var message, out var error);
                if (status == FrameReadStatus.Error)
                {
                    return $"malformed tunnel frame: {error.Detail}";
                }

                if (status == FrameReadStatus.NeedMoreData)
                {
                    int consumed = (int)(total - bytes.Length);
                    KeepCarry(bytes);
                    plan = Plan(carried, length, consumed, firstFrameEnd, ref combined);
                    return null;
                }

                if (RelayFrameRules.Check(message!, End, _tunnel, ref _serviceIdUsage) is { } violation)
                {
                    return violation;
                }

                Route(message!);
                firstFrameEnd = firstFrameEnd == 0 ? (int)(total - bytes.Length) : firstFrameEnd;
                _frames.Add(message!);
            }
        }
        finally
        {
            if (combined is not null)
            {
                ArrayPool<byte>.Shared.Return(combined);
            }
        }
    }

    private void Route(Message message)
    {
        switch (message.Type)
        {
            case MessageType.Data:
            case MessageType.StreamStart:
            case MessageType.ConnectionStart:
            case MessageType.ConnectionReset:
                Route(RelayLaneKey.Of(_tunnel.ServiceIndex(message.ServiceId), message.StreamId, message.ConnectionId));
                break;
            default:
                // STREAM_RESET, SESSION_RESET and the rest concern every connection of a stream or more.
                _barrier = true;
                break;
        }
    }

    private void Route(RelayLaneKey key)
    {
        if (_routed && key != _routeKey)
        {
            _barrier = true;
        }

        _routeKey = key;
        _routed = true;
    }

    private RelayRoute CurrentRoute => new(_routeKey, _barrier || !_routed);

    // What of a checked message goes on, given `consumed` bytes of whole frames (counted from the
    // start of the carried bytes). With nothing carried, the whole frames are the head of the
    // message itself. With a carry, the frame it completes goes on alone, in the combined buffer
    // (taken over from the caller), and the message's own whole frames after it are moved to the
    // front of the message buffer: one tunnel frame never shares a message it did not share.
    private static ForwardPlan Plan(int carried, int length, int consumed, int firstFrameEnd, ref byte[]? combined)
    {
        if (carried == 0)
        {
            // An empty message is relayed as one (it carries no frame to check).
            return new ForwardPlan(null, 0, 0, consumed, ForwardMessage: consumed > 0 || length == 0);
        }

        if (consumed == 0)
        {
            return default; // the carried frame is still incomplete: all of it waits
        }

        var straddler = combined;
        combined = null;
        int ownStart = firstFrameEnd - carried;
        int ownLength = consumed - firstFrameEnd;
        return new ForwardPlan(straddler, firstFrameEnd, ownStart, ownLength, ForwardMessage: ownLength > 0);
    }

    private void KeepCarry(ReadOnlySequence<byte> rest)
    {
        int restLength = (int)rest.Length;
        if (restLength > 0 && (_carry is null || _carry.Length < restLength))
        {
            if (_carry is not null)
            {
                ArrayPool<byte>.Shared.Return(_carry);
            }

            _carry = ArrayPool<byte>.Shared.Rent(restLength);
        }

        if (restLength > 0)
        {
            rest.CopyTo(_carry);
        }

        _carryLength = restLength;
    }

    // Sends the checked frames on to the other end (see Validate). With no other end connected
    // the frames are dropped, and a stream the source tried to open is reset at once so its local
    // client is not left hanging. Returns true when the message buffer was handed over.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RelayAsync(byte[] buffer, ForwardPlan plan, CancellationToken cancellationToken)
    {
        var other = _tunnel.ForwardTargetOf(this);
        if (other is null)
        {
            ReturnStraddler(plan);
            RefuseStreams();
            return false;
        }

        foreach (var frame in _frames)
        {
            _tunnel.Track(frame);
        }

        if (plan.Straddler is { } straddler)
        {
            if (!await other.ForwardAsync(straddler, plan.StraddlerLength, CurrentRoute, cancellationToken).ConfigureAwait(false))
            {
                ReturnStraddler(plan);
                RefuseStreams();
                return false;
            }

            _tunnel.CountForwarded(End, plan.StraddlerLength);
        }

        if (!plan.ForwardMessage)
        {
            return false;
        }

        if (plan.Start > 0)
        {
            buffer.AsSpan(plan.Start, plan.Length).CopyTo(buffer);
        }

        if (!await other.ForwardAsync(buffer, plan.Length, CurrentRoute, cancellationToken).ConfigureAwait(false))
        {
            RefuseStreams();
            return false;
        }

        _tunnel.CountForwarded(End, plan.Length);
        return true;
    }

    private static void ReturnStraddler(ForwardPlan plan)
    {
        if (plan.Straddler is { } straddler)
        {
            ArrayPool<byte>.Shared.Return(straddler);
        }
    }

    private void RefuseStreams()
    {
        foreach (var frame in _frames)
        {
            if (frame.Type is MessageType.StreamStart or MessageType.ConnectionStart)
            {
                Log.NoPeerForStream(_logger, TunnelId, End, frame.StreamId, LogText.Escape(frame.ServiceId));
                EnqueueControl(FrameWriter.ToArray(TunnelMessages.StreamReset(frame.StreamId, frame.ServiceId)));
            }
        }
    }

    // A close reason must fit in a control frame: 123 bytes of UTF-8 (a refusal may quote a
    // service id in any script), cut between whole characters.
    private static string Truncate(string reason)
    {
        const int MaxBytes = 123;
        int length = Math.Min(reason.Length, MaxBytes);
        while (length > 0 && (char.IsHighSurrogate(reason[length - 1]) || System.Text.Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > MaxBytes))
        {
            length--;
        }

        return reason[..length];
    }

    private readonly record struct ReceiveOutcome(byte[] Buffer, bool Stop);

    // Straddler: a pooled buffer holding the one frame the carry completed (owned by the plan).
    // Start/Length: the whole frames of the message buffer itself that follow it.
    private readonly record struct ForwardPlan(byte[]? Straddler, int StraddlerLength, int Start, int Length, bool ForwardMessage);
}
