using System.Buffers;
using System.Runtime.CompilerServices;

namespace Gateway.Engine.Transport;

/// <summary>
/// Sits between the TCP socket's stream and TLS. TLS writes a tunnel message as one record per
/// 16 KiB and reads one record at a time; on its own that is a system call per record. Here reads
/// take up to 64 KiB at once and hand them out, and, once <see cref="CoalesceWrites"/> is on,
/// writes gather until <see cref="FlushAsync(CancellationToken)"/> (the session's writer flushes
/// when its queue is empty), so a burst of frames leaves in one send (docs/performance.md).
/// Buffers are rented only while they hold bytes: an idle connection holds none. Zero-byte reads
/// pass through, so waiting for data costs no buffer either. Awaits use pooled state machines, so
/// a read or write that has to wait allocates nothing in steady state.
/// </summary>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    private const int ReadAheadSize = 64 * 1024;
    // Two full DATA frames: gathered bytes are a queue in front of the next frame of any connection.
    private const int MaxPendingWrite = 128 * 1024;

    // Guards the gathered bytes: the session's writer is their main user, but TLS may also write
    // from its read path (renegotiation, post-handshake messages) while the writer flushes.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[]? _readBuffer;
    private int _readStart;
    private int _readEnd;
    private byte[]? _writeBuffer;
    private int _writeLength;

    /// <summary>Gather writes until a flush; off during the TLS and HTTP handshakes.</summary>
    public bool CoalesceWrites { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_readEnd > _readStart)
        {
            return TakeBuffered(buffer.Span);
        }

        if (buffer.Length == 0 || buffer.Length >= ReadAheadSize)
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        var ahead = ArrayPool<byte>.Shared.Rent(ReadAheadSize);
        int read;
        try
        {
            read = await inner.ReadAsync(ahead.AsMemory(0, ReadAheadSize), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(ahead);
            throw;
        }

        if (read <= buffer.Length)
        {
            ahead.AsSpan(0, read).CopyTo(buffer.Span);
            ArrayPool<byte>.Shared.Return(ahead);
            return read;
        }

        (_readBuffer, _readStart, _readEnd) = (ahead, 0, read);
        return TakeBuffered(buffer.Span);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!CoalesceWrites)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }

        if (!_writeLock.Wait(0))
        {
            return WriteLockedAsync(buffer, cancellationToken);
        }

        if (TryGather(buffer.Span))
        {
            _writeLock.Release();
            return default;
        }

        return WriteThroughAsync(buffer, cancellationToken);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseBuffers();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        ReleaseBuffers();
        await inner.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private int TakeBuffered(Span<byte> destination)
    {
        int take = Math.Min(destination.Length, _readEnd - _readStart);
        _readBuffer.AsSpan(_readStart, take).CopyTo(destination);
        _readStart += take;
        if (_readStart == _readEnd)
        {
            ArrayPool<byte>.Shared.Return(_readBuffer!);
            (_readBuffer, _readStart, _readEnd) = (null, 0, 0);
        }

        return take;
    }

    // Appends to the gathered bytes if they fit. Caller holds the write lock.
    private bool TryGather(ReadOnlySpan<byte> data)
    {
        if (_writeLength + data.Length > MaxPendingWrite)
        {
            return false;
        }

        _writeBuffer ??= ArrayPool<byte>.Shared.Rent(MaxPendingWrite);
        data.CopyTo(_writeBuffer.AsSpan(_writeLength));
        _writeLength += data.Length;
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteLockedAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (TryGather(buffer.Span))
        {
            _writeLock.Release();
            return;
        }

        await WriteThroughAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    // Sends what is gathered, then gathers or sends the new bytes. Caller holds the write lock; released here.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await SendPendingAsync(cancellationToken).ConfigureAwait(false);
            if (!TryGather(buffer.Span))
            {
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendPendingAsync(CancellationToken cancellationToken)
    {
        if (_writeBuffer is null)
        {
            return;
        }

        var pending = _writeBuffer;
        int length = _writeLength;
        (_writeBuffer, _writeLength) = (null, 0);
        try
        {
            await inner.WriteAsync(pending.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pending);
        }
    }

    private void ReleaseBuffers()
    {
        if (_readBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = null;
        }

        if (_writeBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_writeBuffer);
            _writeBuffer = null;
        }
    }
}
