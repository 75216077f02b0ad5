using System.Buffers;
using System.Collections.Concurrent;

namespace Gateway.Api.Hosting;

/// <summary>
/// Kestrel's memory pool with 64 KiB blocks instead of 4 KiB. Kestrel reads a socket, and its TLS
/// layer reads SslStream, at most one block at a time: with 4 KiB blocks the relay made sixteen
/// receive calls per full tunnel message. Blocks are taken only while bytes are buffered (Kestrel
/// waits for data before renting), so idle connections hold none; at most
/// <see cref="MaxRetainedBlocks"/> free blocks are kept for reuse (docs/performance.md).
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    public const int MaxRetainedBlocks = 64;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), $"at most {BlockSize} bytes");
        }

        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented = true;
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        while (_free.TryDequeue(out _))
        {
        }
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxRetainedBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    // Pinned (the socket transport hands blocks to the OS), reused as a whole with its owner object.
    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public bool Rented { get; set; } = true;

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            if (Rented)
            {
                Rented = false;
                pool.Return(this);
            }
        }
    }
}
