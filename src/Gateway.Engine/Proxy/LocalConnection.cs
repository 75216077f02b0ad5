using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Gateway.Engine.Scheduling;

namespace Gateway.Engine.Proxy;

/// <summary>
/// One local TCP (or unix socket) connection carried by the tunnel. Two pumps:
/// <list type="bullet">
/// <item>local -> tunnel: a zero-byte read first (idle connections hold no buffer), then a queue
/// slot, then a pooled buffer into which the bytes are read at their final place in a DATA frame;</item>
/// <item>tunnel -> local: a bounded Pipe written by the session's dispatcher; a pending flush on it
/// is the back-pressure that pauses reading the WebSocket.</item>
/// </list>
/// </summary>
internal sealed class LocalConnection
{
    private readonly IConnectionOwner _owner;
    private readonly ITunnelSender _sender;
    private readonly CancellationTokenSource _abort = new();
    private readonly Throttle? _throttle;
    private Socket? _socket;
    private long _bytesFromLocal;
    private long _bytesToLocal;
    private int _closing;
    private int _writerCompleted;
    private Task _pumps = Task.CompletedTask;

    public LocalConnection(IConnectionOwner owner, ITunnelSender sender, ServiceChannel service, uint id, int streamId, string? wireServiceId, uint wireConnectionId, DateTimeOffset openedAt, PipeOptions pipeOptions)
    {
        _owner = owner;
        _sender = sender;
        // V3: a lane per connection. V1/V2: the connection is the stream, and a new stream must not
        // overtake the old one's last bytes and reset, so the service's connections share one lane.
        Lane = wireConnectionId != 0 ? sender.NewLane() : service.SharedLane;
        Service = service;
        Id = id;
        StreamId = streamId;
        WireServiceIdText = string.IsNullOrEmpty(wireServiceId) ? null : wireServiceId;
        WireServiceId = DataFrameEncoder.ServiceIdBytes(wireServiceId);
        WireConnectionId = wireConnectionId;
        OpenedAt = openedAt;
        Output = new Pipe(pipeOptions);
        int cap = owner.ConnectionBytesPerSecond;
        _throttle = cap > 0 ? new Throttle(cap, owner.MaxPayloadSize, owner.Time) : null;
    }

    public ServiceChannel Service { get; }

    /// <summary>This connection's lane toward the tunnel: its DATA and the messages ordered with it.</summary>
    public FairScheduler<OutboundFrame>.Lane Lane { get; }

    /// <summary>Our key for the connection within its service (the connectionId, 0 for V1/V2).</summary>
    public uint Id { get; }

    public int StreamId { get; }

    /// <summary>serviceId as sent in this connection's frames; null = field absent (V1 or unnamed).</summary>
    public byte[]? WireServiceId { get; }

    public string? WireServiceIdText { get; }

    /// <summary>connectionId as sent; 0 = absent (V1/V2, or after a downgrade).</summary>
    public uint WireConnectionId { get; set; }

    public DateTimeOffset OpenedAt { get; }

    public string? LocalPeer { get; private set; }

    public bool Connecting => _socket is null && !IsClosing;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public long BytesFromLocal => Interlocked.Read(ref _bytesFromLocal);

    public long BytesToLocal => Interlocked.Read(ref _bytesToLocal);

    /// <summary>Tunnel -> local bytes. Written only by the session's dispatcher.</summary>
    public Pipe Output { get; }

    public string Key => $"{Service.Key}.{Id}";

    /// <summary>Starts both pumps on a connected socket.</summary>
    public void Start(Socket socket)
    {
        _socket = socket;
        try
        {
            LocalPeer = socket.RemoteEndPoint?.ToString();
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                socket.NoDelay = true;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        if (IsClosing)
        {
            socket.Dispose();
            return;
        }

        _pumps = Task.WhenAll(ReadLoopAsync(socket), WriteLoopAsync(socket));
    }

    /// <summary>Completes when both pumps of a started connection have ended (at once for one never started).</summary>
    public Task Completion => _pumps;

    /// <summary>
    /// Closes after writing what is already buffered toward the local side (a reset from the
    /// tunnel). Dispatcher thread only. Returns false if the connection was already closing.
    /// </summary>
    public bool CloseGracefully()
    {
        bool first = Interlocked.Exchange(ref _closing, 1) == 0;
        CompleteWriter();
        if (_socket is null)
        {
            _abort.Cancel();
        }

        return first;
    }

    /// <summary>
    /// Closes at once, dropping buffered bytes. Any thread. Returns true for the first close, so
    /// exactly one side (local end, tunnel reset, user) reports the end.
    /// </summary>
    public bool Abort()
    {
        bool first = Interlocked.Exchange(ref _closing, 1) == 0;
        _abort.Cancel();
        try
        {
            Output.Reader.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            _socket?.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }

        return first;
    }

    /// <summary>Dispatcher thread (or after the dispatcher ended): no more tunnel bytes for this connection.</summary>
    public void CompleteWriter()
    {
        if (Interlocked.Exchange(ref _writerCompleted, 1) == 0)
        {
            Output.Writer.Complete();
        }
    }

    public CancellationToken AbortToken => _abort.Token;

    /// <summary>
    /// Under a bandwidth cap a full 63 KiB frame takes long to drain (80 ms at 800 KB/s), and an
    /// interactive frame of another connection can wait behind one: capped, a frame carries at
    /// most <see cref="CappedFrameTime"/> of the cap (at least 4 KiB).
    /// </summary>
    internal static int PayloadSize(int maxPayload, long? sessionCap, long? connectionCap)
    {
        long cap = Math.Min(sessionCap ?? long.MaxValue, connectionCap ?? long.MaxValue);
        if (cap == long.MaxValue)
        {
            return maxPayload;
        }

        long size = cap * CappedFrameTime.Ticks / TimeSpan.TicksPerSecond;
        return (int)Math.Clamp(size, Math.Min(MinCappedPayload, maxPayload), maxPayload);
    }

    /// <summary>What one DATA frame of a capped session or connection may take to send.</summary>
    public static readonly TimeSpan CappedFrameTime = TimeSpan.FromMilliseconds(20);

    private const int MinCappedPayload = 4096;

    private async Task ReadLoopAsync(Socket socket)
    {
        int maxPayload = PayloadSize(_owner.MaxPayloadSize, _owner.TunnelBytesPerSecond, _throttle?.BytesPerSecond);
        byte[]? buffer = null;
        bool holdsSlot = false;
        string? error = null;
        try
        {
            while (true)
            {
                // Wait for bytes without a buffer, then for room in the session's send queue.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, _abort.Token).ConfigureAwait(false);
                await _sender.WaitForDataSlotAsync(Lane, _abort.Token).ConfigureAwait(false);
                holdsSlot = true;
                buffer = ArrayPool<byte>.Shared.Rent(DataFrameEncoder.BufferSize(maxPayload));
                int read = await socket.ReceiveAsync(buffer.AsMemory(DataFrameEncoder.PayloadOffset, maxPayload), SocketFlags.None, _abort.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (_throttle is { } throttle)
                {
                    // limits.connection_bytes_per_second: this connection alone waits, holding its slot.
                    var take = throttle.TakeAsync(read, _abort.Token);
                    if (!take.IsCompletedSuccessfully)
                    {
                        long waitStart = _owner.Time.GetTimestamp();
                        await take.ConfigureAwait(false);
                        _owner.AddThrottledWait(_owner.Time.GetElapsedTime(waitStart));
                    }
                }

                var (offset, length) = DataFrameEncoder.Encode(buffer, read, StreamId, WireServiceId, WireConnectionId);
                Interlocked.Add(ref _bytesFromLocal, read);
                if (!_sender.EnqueueData(Lane, buffer, offset, length, read))
                {
                    break;
                }

                buffer = null;
                holdsSlot = false;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            error = ex.Message;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (holdsSlot)
            {
                _sender.ReleaseDataSlot(Lane);
            }
        }

        _owner.OnLocalReadEnded(this, error);
    }

    private async Task WriteLoopAsync(Socket socket)
    {
        var reader = Output.Reader;
        bool graceful = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                foreach (var segment in result.Buffer)
                {
                    int sent = 0;
                    while (sent < segment.Length)
                    {
                        sent += await socket.SendAsync(segment[sent..], SocketFlags.None, _abort.Token).ConfigureAwait(false);
                    }

                    Interlocked.Add(ref _bytesToLocal, segment.Length);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    // Reset from the tunnel: everything is written; FIN now. The socket is closed by
                    // the read loop once it stopped, so no receive is pending at close (which would
                    // turn the close into a reset and could lose the tail).
                    try
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        graceful = true;
                    }
                    catch (SocketException)
                    {
                    }

                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            _abort.Cancel();
            if (!graceful)
            {
                socket.Dispose();
            }
        }
    }
}
