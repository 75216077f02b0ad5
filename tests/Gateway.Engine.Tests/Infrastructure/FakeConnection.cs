using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>
/// One client connection accepted by <see cref="FakeTunnelService"/>, seen at the WebSocket frame level.
/// <para>
/// After a successful upgrade a background loop parses every client frame (checking the MASK bit, unmasking,
/// reassembling fragmented messages, allowing interleaved control frames) and records it as a <see cref="WsEvent"/>.
/// The same events feed three independent views that do not consume each other:
/// <list type="bullet">
/// <item><see cref="NextEventAsync(TimeSpan?)"/>: every event in order (Binary, Text, Ping, Pong, Close, then Disconnected last);</item>
/// <item><see cref="NextTunnelFrameAsync"/>: complete tunnel frames cut out of the concatenated Binary payloads;</item>
/// <item><see cref="NextPingAsync"/>: pings in order (all control events are also kept in <see cref="ControlEvents"/>).</item>
/// </list>
/// Pings are answered with an echoing pong while <see cref="AutoPong"/> is true; a client close frame is answered with
/// a close frame echoing the code while <see cref="AutoCloseReply"/> is true, after which the TCP connection is closed.
/// </para>
/// For a rejected upgrade (<see cref="Rejected"/>) there is no WebSocket: only the request and the response are readable.
/// </summary>
public sealed class FakeConnection : IAsyncDisposable
{
    /// <summary>Frame payload limit of the tunneling protocol (both directions); larger client frames are flagged.</summary>
    public const int ProtocolFramePayloadLimit = 131076;

    private const int MaxAcceptedFramePayload = 64 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly StreamBuffer _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _readCts = new();
    private readonly Channel<WsEvent> _events = Channel.CreateUnbounded<WsEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<WsEvent> _pings = Channel.CreateUnbounded<WsEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<byte[]> _tunnelFrames = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentQueue<WsEvent> _controlEvents = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _tunnelGate = new();
    private byte[] _tunnelBuffer = new byte[4096];
    private int _tunnelCount;
    private volatile bool _messagesEachHeldOneFrame = true;
    private volatile bool _autoPong;
    private volatile bool _autoCloseReply;
    private volatile bool _closeSent;
    private volatile bool _aborted;
    private volatile WsEvent? _closeReceived;
    private volatile string? _disconnectDetail;
    private volatile string? _endingBecause;
    private Task _readTask = Task.CompletedTask;
    private int _disposed;

    internal FakeConnection(
        Socket socket,
        Stream stream,
        StreamBuffer reader,
        HttpHead request,
        string responseText,
        int responseStatus,
        string? channelId,
        bool autoPong,
        bool autoCloseReply)
    {
        _socket = socket;
        _stream = stream;
        _reader = reader;
        Request = request;
        ResponseText = responseText;
        ResponseStatus = responseStatus;
        ChannelId = channelId;
        _autoPong = autoPong;
        _autoCloseReply = autoCloseReply;
    }

    /// <summary>The parsed upgrade request.</summary>
    public HttpHead Request { get; }

    /// <summary>The raw request head (Latin-1 decoded) as received, including the final CRLFCRLF.</summary>
    public string RequestText => Request.Text;

    /// <summary>The request line, e.g. <c>GET /tunnel?local-proxy-mode=source HTTP/1.1</c>.</summary>
    public string RequestLine => Request.StartLine;

    /// <summary>The request target (second token of the request line), e.g. <c>/tunnel?local-proxy-mode=source</c>.</summary>
    public string RequestTarget
    {
        get
        {
            var parts = RequestLine.Split(' ');
            return parts.Length >= 2 ? parts[1] : string.Empty;
        }
    }

    /// <summary>Request headers in the order received, names with their case as sent.</summary>
    public IReadOnlyList<(string Name, string Value)> Headers => Request.Headers;

    /// <summary>True if the fake answered with a non-101 response (no WebSocket on this connection).</summary>
    public bool Rejected => ResponseStatus != 101;

    /// <summary>The status the fake answered with.</summary>
    public int ResponseStatus { get; }

    /// <summary>The complete response the fake sent (head and, for a rejection, body).</summary>
    public string ResponseText { get; }

    /// <summary>The <c>channel-id</c> the fake sent, or null if it sent none.</summary>
    public string? ChannelId { get; }

    /// <summary>Answer pings with a pong echoing the payload (pings are recorded either way). Default from <see cref="FakeTunnelService.AutoPong"/>.</summary>
    public bool AutoPong
    {
        get => _autoPong;
        set => _autoPong = value;
    }

    /// <summary>Answer a client close frame with a close frame echoing its code, then close TCP. Default from <see cref="FakeTunnelService.AutoCloseReply"/>.</summary>
    public bool AutoCloseReply
    {
        get => _autoCloseReply;
        set => _autoCloseReply = value;
    }

    /// <summary>Every control event (Ping, Pong, Close) received so far, in order.</summary>
    public IReadOnlyList<WsEvent> ControlEvents => _controlEvents.ToArray();

    /// <summary>Every ping received so far, in order (independent of <see cref="NextPingAsync"/>).</summary>
    public IReadOnlyList<WsEvent> Pings => _controlEvents.Where(e => e.Kind == WsEventKind.Ping).ToArray();

    /// <summary>RFC 6455 violations seen in client frames (unmasked frame, RSV bits, bad fragmentation, oversized control frame, ...).</summary>
    public IReadOnlyList<string> ProtocolViolations => _violations.ToArray();

    /// <summary>True once any protocol violation was recorded.</summary>
    public bool HasProtocolViolation => !_violations.IsEmpty;

    /// <summary>
    /// True while every Binary message so far held exactly one whole tunnel frame (and nothing was left over from an
    /// earlier message). Vacuously true before any Binary message.
    /// </summary>
    public bool MessagesEachHeldOneFrame => _messagesEachHeldOneFrame;

    /// <summary>Bytes received in Binary messages that do not yet form a complete tunnel frame.</summary>
    public int PendingTunnelBytes
    {
        get
        {
            lock (_tunnelGate)
            {
                return _tunnelCount;
            }
        }
    }

    /// <summary>The close frame the client sent, if any.</summary>
    public WsEvent? CloseReceived => _closeReceived;

    /// <summary>True once the fake sent a close frame (explicitly or as the automatic reply).</summary>
    public bool CloseSent => _closeSent;

    /// <summary>True once the connection ended (the Disconnected event was recorded).</summary>
    public bool IsDisconnected => _disconnected.Task.IsCompleted;

    /// <summary>Why the connection ended (EOF, reset, closed or aborted by the fake, ...), null while it is open.</summary>
    public string? DisconnectDetail => _disconnectDetail;

    /// <summary>Case-insensitive lookup of the first request header with this name.</summary>
    public string? Header(string name) => Request.Header(name);

    /// <summary>Sends one unmasked binary frame with FIN set.</summary>
    public Task SendBinaryAsync(ReadOnlyMemory<byte> payload) =>
        WriteAsync([WsFraming.Frame(WsFraming.Binary, payload.Span)], "a binary frame");

    /// <summary>Sends one binary message as a binary frame followed by continuation frames of at most <paramref name="fragmentSize"/> bytes.</summary>
    public Task SendFragmentedAsync(ReadOnlyMemory<byte> payload, int fragmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fragmentSize, 1);
        var frames = new List<byte[]>();
        var offset = 0;
        do
        {
            var size = Math.Min(fragmentSize, payload.Length - offset);
            var opcode = offset == 0 ? WsFraming.Binary : WsFraming.Continuation;
            var fin = offset + size == payload.Length;
            frames.Add(WsFraming.Frame(opcode, payload.Span.Slice(offset, size), fin));
            offset += size;
        }
        while (offset < payload.Length);

        return WriteAsync(frames, $"a binary message in {frames.Count} fragments");
    }

    /// <summary>Sends one text frame (the real service never does; for negative tests).</summary>
    public Task SendTextAsync(string text) =>
        WriteAsync([WsFraming.Frame(WsFraming.Text, Encoding.UTF8.GetBytes(text))], "a text frame");

    /// <summary>Sends a ping.</summary>
    public Task SendPingAsync(ReadOnlyMemory<byte> payload) =>
        WriteAsync([WsFraming.Frame(WsFraming.Ping, payload.Span)], "a ping");

    /// <summary>Sends a pong (unsolicited pongs crash the reference proxy; for negative tests).</summary>
    public Task SendPongAsync(ReadOnlyMemory<byte> payload) =>
        WriteAsync([WsFraming.Frame(WsFraming.Pong, payload.Span)], "a pong");

    /// <summary>Sends a close frame with this code and reason. The client's close reply (if any) is recorded and the TCP connection is then closed.</summary>
    public async Task SendCloseAsync(ushort code, string reason)
    {
        _closeSent = true;
        await WriteAsync([WsFraming.Frame(WsFraming.Close, WsFraming.ClosePayload(code, reason))], "a close frame").ConfigureAwait(false);
    }

    /// <summary>Writes raw bytes to the connection (after TLS, if any), e.g. a hand-made frame from <see cref="WsFraming.Frame"/>.</summary>
    public Task SendRawAsync(ReadOnlyMemory<byte> bytes) => WriteAsync([bytes.ToArray()], "raw bytes");

    /// <summary>Sends each tunnel frame as its own binary message.</summary>
    public Task SendFramesAsync(params byte[][] tunnelFrames)
    {
        ArgumentNullException.ThrowIfNull(tunnelFrames);
        return WriteAsync(tunnelFrames.Select(f => WsFraming.Frame(WsFraming.Binary, f)).ToList(), $"{tunnelFrames.Length} binary messages");
    }

    /// <summary>Concatenates the tunnel frames into one binary message.</summary>
    public Task SendCoalescedAsync(params byte[][] tunnelFrames)
    {
        ArgumentNullException.ThrowIfNull(tunnelFrames);
        return SendBinaryAsync(tunnelFrames.SelectMany(f => f).ToArray());
    }

    /// <summary>Drops the TCP connection with a reset (no close frame, no TLS close_notify).</summary>
    public void Abort()
    {
        _aborted = true;
        _endingBecause = "aborted by the fake (TCP reset)";
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Close();
        CancelReads(TimeSpan.Zero);
    }

    /// <summary>Closes the TCP connection gracefully (FIN) without a close frame; the read loop ends at the client's EOF or after <see cref="TestTimeouts.Short"/>.</summary>
    public async Task CloseTcpAsync()
    {
        _endingBecause = "closed by the fake (TCP FIN without close frame)";
        await ShutdownSendAsync().ConfigureAwait(false);
        CancelReads(TestTimeouts.Short);
    }

    /// <summary>The next event of any kind (events are consumed).</summary>
    public Task<WsEvent> NextEventAsync(TimeSpan? timeout = null) => NextEventAsync(_ => true, timeout);

    /// <summary>The next event matching <paramref name="match"/>; non-matching events before it are consumed and dropped.</summary>
    public async Task<WsEvent> NextEventAsync(Func<WsEvent, bool> match, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        var skipped = new List<WsEvent>();
        try
        {
            while (true)
            {
                WsEvent next;
                try
                {
                    next = await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                }
                catch (ChannelClosedException)
                {
                    throw new InvalidOperationException(
                        $"No further WebSocket event: the connection ended ({_disconnectDetail}). Skipped: {Describe(skipped)}");
                }

                if (match(next))
                {
                    return next;
                }

                skipped.Add(next);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching WebSocket event within {limit}. Skipped: {Describe(skipped)}");
        }
    }

    /// <summary>
    /// The next complete tunnel frame (2-byte big-endian length prefix plus body, returned including the prefix),
    /// cut from the concatenation of all Binary message payloads.
    /// </summary>
    public async Task<byte[]> NextTunnelFrameAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _tunnelFrames.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException(
                $"No further tunnel frame: the connection ended ({_disconnectDetail}; close received: {_closeReceived?.ToString() ?? "none"}). {PendingDescription()}");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete tunnel frame within {limit}. {PendingDescription()}");
        }
    }

    /// <summary>The next ping, in order, waiting if needed (independent of <see cref="NextEventAsync(TimeSpan?)"/>).</summary>
    public async Task<WsEvent> NextPingAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _pings.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"No further ping: the connection ended ({_disconnectDetail}).");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No ping within {limit} ({Pings.Count} received in total).");
        }
    }

    /// <summary>
    /// Succeeds if no complete tunnel frame arrives within <paramref name="window"/> (or the connection ends without one);
    /// fails with the frame's hex otherwise. The frame, if any, is consumed.
    /// </summary>
    public async Task AssertNoTunnelFrameAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        bool available;
        try
        {
            available = await _tunnelFrames.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return;
        }

        if (available && _tunnelFrames.Reader.TryRead(out var frame))
        {
            Assert.Fail($"Expected no tunnel frame within {window}, but got {frame.Length} bytes: {Hex.Of(frame)}");
        }
    }

    /// <summary>Waits until the connection has ended (the Disconnected event was recorded).</summary>
    public async Task WaitForDisconnectAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        try
        {
            await _disconnected.Task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"The client did not disconnect within {limit} (close received: {_closeReceived?.ToString() ?? "none"}, close sent: {_closeSent}).");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _endingBecause ??= "connection disposed by the test";
        CancelReads(TimeSpan.Zero);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Best effort.
        }

        _socket.Dispose();
        try
        {
            await _readTask.WaitAsync(TestTimeouts.Short).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The loop is stuck; nothing more to do in a test.
        }
    }

    internal void StartReading() => _readTask = Task.Run(ReadLoopAsync);

    internal void StartDraining() => _readTask = Task.Run(DrainAfterRejectionAsync);

    private static string Describe(List<WsEvent> events) =>
        events.Count == 0 ? "none" : string.Join("; ", events.Select(e => e.ToString()));

    private static bool IsReset(Exception e) =>
        e is SocketException { SocketErrorCode: SocketError.ConnectionReset }
        || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset };

    private string PendingDescription()
    {
        lock (_tunnelGate)
        {
            return _tunnelCount == 0
                ? "No partial tunnel frame is buffered."
                : $"{_tunnelCount} bytes of an incomplete tunnel frame are buffered: {Hex.Preview(_tunnelBuffer.AsSpan(0, _tunnelCount))}";
        }
    }

    private async Task WriteAsync(IReadOnlyList<byte[]> chunks, string what)
    {
        var limit = TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _writeLock.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Could not start sending {what} within {limit}: another write is stuck.");
        }

        try
        {
            foreach (var chunk in chunks)
            {
                await _stream.WriteAsync(chunk, cts.Token).ConfigureAwait(false);
            }

            await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending {what} did not complete within {limit} (is the client reading?).");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ShutdownSendAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Short);
        try
        {
            await _writeLock.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (_stream is SslStream ssl)
            {
                await ssl.ShutdownAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            }

            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client may already be gone.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void CancelReads(TimeSpan delay)
    {
        try
        {
            if (delay <= TimeSpan.Zero)
            {
                _readCts.Cancel();
            }
            else
            {
                _readCts.CancelAfter(delay);
            }
        }
        catch (ObjectDisposedException)
        {
            // Already torn down.
        }
    }

    private void Violation(string text) => _violations.Enqueue(text);

    private void Record(WsEvent item)
    {
        if (item.Kind is WsEventKind.Ping or WsEventKind.Pong or WsEventKind.Close)
        {
            _controlEvents.Enqueue(item);
        }

        if (item.Kind == WsEventKind.Ping)
        {
            _pings.Writer.TryWrite(item);
        }

        if (item.Kind == WsEventKind.Binary)
        {
            FeedTunnel(item.Payload);
        }

        _events.Writer.TryWrite(item);
    }

    private void FeedTunnel(byte[] payload)
    {
        lock (_tunnelGate)
        {
            var wasEmpty = _tunnelCount == 0;
            if (_tunnelBuffer.Length - _tunnelCount < payload.Length)
            {
                Array.Resize(ref _tunnelBuffer, Math.Max(_tunnelBuffer.Length * 2, _tunnelCount + payload.Length));
            }

            payload.CopyTo(_tunnelBuffer, _tunnelCount);
            _tunnelCount += payload.Length;

            var offset = 0;
            var frames = 0;
            while (_tunnelCount - offset >= 2)
            {
                var frameLength = 2 + BinaryPrimitives.ReadUInt16BigEndian(_tunnelBuffer.AsSpan(offset));
                if (_tunnelCount - offset < frameLength)
                {
                    break;
                }

                _tunnelFrames.Writer.TryWrite(_tunnelBuffer.AsSpan(offset, frameLength).ToArray());
                offset += frameLength;
                frames++;
            }

            Buffer.BlockCopy(_tunnelBuffer, offset, _tunnelBuffer, 0, _tunnelCount - offset);
            _tunnelCount -= offset;
            if (!(wasEmpty && frames == 1 && _tunnelCount == 0))
            {
                _messagesEachHeldOneFrame = false;
            }
        }
    }

    private async Task<WsFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var required = WsFrame.RequiredLength(_reader.Data);
            if (required > MaxAcceptedFramePayload + 14L)
            {
                Violation($"frame of {required} bytes exceeds what the fake accepts ({MaxAcceptedFramePayload}); connection dropped");
                throw new InvalidDataException("oversized frame");
            }

            if (_reader.Count >= required)
            {
                var frame = WsFrame.Parse(_reader.Data, out var consumed);
                _reader.Consume(consumed);
                return frame;
            }

            if (!await _reader.FillAsync((int)required, cancellationToken).ConfigureAwait(false))
            {
                if (_reader.Count > 0)
                {
                    Violation($"connection ended inside a frame ({_reader.Count} of {required} bytes)");
                }

                return null;
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var token = _readCts.Token;
        var detail = "client closed the TCP connection (EOF)";
        byte messageOpcode = 0;
        var fragments = new List<byte[]>();
        try
        {
            while (true)
            {
                var frame = await ReadFrameAsync(token).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }

                CheckFrame(frame);
                switch (frame.Opcode)
                {
                    case WsFraming.Continuation:
                        if (messageOpcode == 0)
                        {
                            Violation($"continuation frame without a started message ({frame.Payload.Length} bytes ignored)");
                            break;
                        }

                        fragments.Add(frame.Payload);
                        if (frame.Fin)
                        {
                            Record(MessageEvent(messageOpcode, fragments));
                            messageOpcode = 0;
                            fragments.Clear();
                        }

                        break;

                    case WsFraming.Text or WsFraming.Binary:
                        if (messageOpcode != 0)
                        {
                            Violation($"new data frame (opcode {frame.Opcode}) while a fragmented message was in progress; {fragments.Count} fragments dropped");
                            fragments.Clear();
                        }

                        fragments.Add(frame.Payload);
                        messageOpcode = frame.Opcode;
                        if (frame.Fin)
                        {
                            Record(MessageEvent(messageOpcode, fragments));
                            messageOpcode = 0;
                            fragments.Clear();
                        }

                        break;

                    case WsFraming.Ping:
                        Record(new WsEvent(WsEventKind.Ping, frame.Payload, null, null, [frame.Payload.Length], DateTimeOffset.UtcNow));
                        if (_autoPong)
                        {
                            await TryWriteControlAsync(WsFraming.Pong, frame.Payload).ConfigureAwait(false);
                        }

                        break;

                    case WsFraming.Pong:
                        Record(new WsEvent(WsEventKind.Pong, frame.Payload, null, null, [frame.Payload.Length], DateTimeOffset.UtcNow));
                        break;

                    case WsFraming.Close:
                        await OnCloseAsync(frame.Payload).ConfigureAwait(false);
                        break;

                    default:
                        Violation($"reserved opcode {frame.Opcode} ({frame.Payload.Length} bytes ignored)");
                        break;
                }
            }
        }
        catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            detail = _endingBecause ?? "read loop cancelled";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            detail = _aborted ? _endingBecause ?? "aborted by the fake"
                : e is InvalidDataException ? $"dropped by the fake: {e.Message}"
                : IsReset(e) ? $"connection reset by the client ({e.Message})"
                : $"read failed: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            if (messageOpcode != 0)
            {
                Violation($"connection ended inside a fragmented message ({fragments.Count} fragments)");
            }

            Finish(detail);
        }
    }

    private async Task DrainAfterRejectionAsync()
    {
        var token = _readCts.Token;
        var detail = "client closed the TCP connection (EOF) after the rejection";
        _readCts.CancelAfter(TestTimeouts.Short);
        _endingBecause = "closed by the fake after the rejection (client did not close within the drain time)";
        try
        {
            await ShutdownSendAsync().ConfigureAwait(false);
            while (await _reader.ReadMoreAsync(4096, token).ConfigureAwait(false) > 0)
            {
                _reader.Consume(_reader.Count);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            detail = token.IsCancellationRequested ? _endingBecause : $"connection ended after the rejection: {e.Message}";
        }
        finally
        {
            Finish(detail);
        }
    }

    private void Finish(string detail)
    {
        _disconnectDetail = detail;
        _events.Writer.TryWrite(new WsEvent(WsEventKind.Disconnected, [], null, null, [], DateTimeOffset.UtcNow));
        _events.Writer.TryComplete();
        _pings.Writer.TryComplete();
        _tunnelFrames.Writer.TryComplete();
        try
        {
            _stream.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Best effort.
        }

        _socket.Dispose();
        _disconnected.TrySetResult();
    }

    private void CheckFrame(WsFrame frame)
    {
        if (!frame.Masked)
        {
            Violation($"unmasked client frame (opcode {frame.Opcode}, {frame.Payload.Length} bytes)");
        }

        if (frame.Rsv != 0)
        {
            Violation($"RSV bits {frame.Rsv} set on a frame (opcode {frame.Opcode}); no extension was negotiated");
        }

        if (frame.Payload.Length > ProtocolFramePayloadLimit)
        {
            Violation($"frame payload of {frame.Payload.Length} bytes exceeds the protocol limit of {ProtocolFramePayloadLimit}");
        }

        if (frame.Opcode >= WsFraming.Close && (!frame.Fin || frame.Payload.Length > 125))
        {
            Violation($"control frame (opcode {frame.Opcode}) fragmented or longer than 125 bytes ({frame.Payload.Length})");
        }
    }

    private static WsEvent MessageEvent(byte opcode, List<byte[]> fragments) => new(
        opcode == WsFraming.Text ? WsEventKind.Text : WsEventKind.Binary,
        fragments.SelectMany(f => f).ToArray(),
        null,
        null,
        fragments.Select(f => f.Length).ToArray(),
        DateTimeOffset.UtcNow);

    private async Task OnCloseAsync(byte[] payload)
    {
        ushort? code = null;
        string? reason = null;
        if (payload.Length == 1)
        {
            Violation("close frame with a 1-byte payload");
        }
        else if (payload.Length >= 2)
        {
            code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            reason = Encoding.UTF8.GetString(payload, 2, payload.Length - 2);
        }

        var closeEvent = new WsEvent(WsEventKind.Close, payload, code, reason, [payload.Length], DateTimeOffset.UtcNow);
        _closeReceived = closeEvent;
        Record(closeEvent);

        if (!_closeSent && _autoCloseReply)
        {
            _closeSent = true;
            await TryWriteControlAsync(WsFraming.Close, code is { } value ? WsFraming.ClosePayload(value, string.Empty) : []).ConfigureAwait(false);
        }

        if (_closeSent)
        {
            _endingBecause = "closed by the fake after the close handshake (client did not close TCP within "
                + TestTimeouts.Short.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s)";
            await ShutdownSendAsync().ConfigureAwait(false);
            CancelReads(TestTimeouts.Short);
        }
    }

    private async Task TryWriteControlAsync(byte opcode, byte[] payload)
    {
        try
        {
            await WriteAsync([WsFraming.Frame(opcode, payload)], $"an automatic control frame (opcode {opcode})").ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or NotSupportedException)
        {
            // The client went away; the read loop will notice.
        }
    }
}
