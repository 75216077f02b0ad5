using Gateway.Api.Hosting;

namespace Gateway.Api.Tests.Hosting;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void RentsWholeBlocksAndReusesReturnedOnes()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent(100);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, first.Memory.Length);
        var memory = first.Memory;
        first.Dispose();
        first.Dispose(); // a second dispose must not return the block twice

        using var second = pool.Rent();
        using var third = pool.Rent();
        Assert.True(second.Memory.Span == memory.Span);
        Assert.False(third.Memory.Span == memory.Span);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void KeepsAtMostItsBoundOfFreeBlocks()
    {
        using var pool = new LargeBlockMemoryPool();
        var blocks = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetainedBlocks + 10).Select(_ => pool.Rent()).ToList();
        var arrays = blocks.Select(b => b.Memory).ToList();
        blocks.ForEach(b => b.Dispose());

        var again = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetainedBlocks + 10).Select(_ => pool.Rent()).ToList();
        int reused = again.Count(b => arrays.Any(a => a.Span == b.Memory.Span));
        Assert.Equal(LargeBlockMemoryPool.MaxRetainedBlocks, reused);
    }
}
