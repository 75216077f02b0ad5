using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Gateway.MicroBench;

/// <summary>
/// One end of an in-memory, full-duplex byte stream: two crossed <see cref="Pipe"/>s, so what
/// one end writes the other reads. No socket, no kernel. The async paths use pooled state
/// machines so the transport itself adds (almost) nothing to the allocations measured.
/// </summary>
internal sealed class DuplexPipeStream : Stream
{
    // Inline: a write runs the reader's continuation on the writer's thread. Fewer thread hops
    // than the thread pool, so the pooled async boxes of the harness and of ManagedWebSocket stay
    // on their threads and the harness floor is 0 B; with PipeScheduler.ThreadPool it wanders
    // between 0 and ~800 B per message from run to run. Thresholds: one 64 KiB message never waits.
    private static readonly PipeOptions PipeOptions = new(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        useSynchronizationContext: false);

    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    private DuplexPipeStream(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Creates two connected ends.</summary>
    public static (DuplexPipeStream First, DuplexPipeStream Second) CreatePair()
    {
        var firstToSecond = new Pipe(PipeOptions);
        var secondToFirst = new Pipe(PipeOptions);
        return (new DuplexPipeStream(secondToFirst.Reader, firstToSecond.Writer),
                new DuplexPipeStream(firstToSecond.Reader, secondToFirst.Writer));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var available = result.Buffer;
            if (buffer.IsEmpty)
            {
                // A zero-byte read: wait for data, consume nothing.
                _input.AdvanceTo(available.Start);
                return 0;
            }

            if (!available.IsEmpty)
            {
                int count = (int)Math.Min(available.Length, buffer.Length);
                available.Slice(0, count).CopyTo(buffer.Span);
                _input.AdvanceTo(available.GetPosition(count));
                return count;
            }

            _input.AdvanceTo(available.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var flush = _output.WriteAsync(buffer, cancellationToken);
        return flush.IsCompletedSuccessfully ? default : AwaitFlushAsync(flush);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Complete();
            _output.Complete();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush) => await flush.ConfigureAwait(false);
}
