using Gateway.Engine.Scheduling;

namespace Gateway.Engine.Tests.Scheduling;

public sealed class FairSchedulerTests
{
    private const int Frame = 1000;

    [Fact]
    public void ASmallItemWaitsBehindAtMostOneItemOfABusyLane()
    {
        var scheduler = new FairScheduler<Item>(quantum: Frame);
        var bulk = new FairScheduler<Item>.Lane(16);
        var interactive = new FairScheduler<Item>.Lane(16);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(scheduler.TryEnqueue(bulk, new Item("bulk", i, Frame)));
        }

        Assert.Equal("bulk", Next(scheduler).Owner);
        Assert.True(scheduler.TryEnqueue(interactive, new Item("echo", 0, 64)));

        // One more bulk frame at most (the lane whose turn it is), then the echo.
        var order = Drain(scheduler).Select(i => i.Owner).ToList();
        Assert.InRange(order.IndexOf("echo"), 0, 1);
        Assert.Equal(9, order.Count(o => o == "bulk"));
    }

    [Fact]
    public void BusyLanesTakeTurnsFrameByFrameAndKeepTheirOwnOrder()
    {
        var scheduler = new FairScheduler<Item>(quantum: Frame);
        var lanes = Enumerable.Range(0, 3).Select(_ => new FairScheduler<Item>.Lane(8)).ToArray();
        for (int i = 0; i < 4; i++)
        {
            for (int l = 0; l < lanes.Length; l++)
            {
                scheduler.TryEnqueue(lanes[l], new Item($"lane{l}", i, Frame));
            }
        }

        var order = Drain(scheduler);
        Assert.Equal(12, order.Count);
        for (int round = 0; round < 4; round++)
        {
            Assert.Equal(["lane0", "lane1", "lane2"], order.Skip(round * 3).Take(3).Select(i => i.Owner).ToArray());
        }

        foreach (var group in order.GroupBy(i => i.Owner))
        {
            Assert.Equal([0, 1, 2, 3], group.Select(i => i.Sequence).ToArray());
        }
    }

    [Fact]
    public void LanesShareByBytesNotByItems()
    {
        // Lane "small" sends 100-byte items; per turn it gets a quantum's worth (10 of them) while
        // lane "big" sends one 1000-byte item.
        var scheduler = new FairScheduler<Item>(quantum: Frame);
        var big = new FairScheduler<Item>.Lane(64);
        var small = new FairScheduler<Item>.Lane(64);
        for (int i = 0; i < 5; i++)
        {
            scheduler.TryEnqueue(big, new Item("big", i, Frame));
        }

        for (int i = 0; i < 50; i++)
        {
            scheduler.TryEnqueue(small, new Item("small", i, 100));
        }

        var firstTwoTurns = Drain(scheduler).Take(22).ToList();
        Assert.Equal(2 * Frame, firstTwoTurns.Where(i => i.Owner == "big").Sum(i => i.Size));
        Assert.Equal(2 * Frame, firstTwoTurns.Where(i => i.Owner == "small").Sum(i => i.Size));
    }

    [Fact]
    public void PriorityItemsGoFirstButCannotStarveTheLanes()
    {
        var scheduler = new FairScheduler<Item>(quantum: Frame);
        var lane = new FairScheduler<Item>.Lane(4);
        scheduler.TryEnqueue(lane, new Item("data", 0, Frame));
        for (int i = 0; i < FairScheduler<Item>.PriorityBurst + 3; i++)
        {
            scheduler.TryEnqueuePriority(new Item("control", i, 10));
        }

        var order = Drain(scheduler).Select(i => i.Owner).ToList();
        Assert.Equal(FairScheduler<Item>.PriorityBurst, order.IndexOf("data"));
        Assert.Equal(FairScheduler<Item>.PriorityBurst + 4, order.Count);
    }

    [Fact]
    public async Task AWaitingConsumerIsWokenByAnItemAndEndsAfterCompletionOnceDrained()
    {
        var scheduler = new FairScheduler<Item>(quantum: Frame);
        var lane = new FairScheduler<Item>.Lane(4);
        var wait = scheduler.WaitToReadAsync();
        Assert.False(wait.IsCompleted);
        scheduler.TryEnqueue(lane, new Item("a", 0, 10));
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        scheduler.TryEnqueue(lane, new Item("a", 1, 10));
        Assert.True(scheduler.Complete());
        Assert.False(scheduler.TryEnqueue(lane, new Item("a", 2, 10)));
        Assert.True(await scheduler.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([0, 1], Drain(scheduler).Select(i => i.Sequence).ToArray());
        Assert.False(await scheduler.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        var idle = new FairScheduler<Item>(quantum: Frame);
        var pending = idle.WaitToReadAsync();
        idle.Complete();
        Assert.False(await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static Item Next(FairScheduler<Item> scheduler)
    {
        Assert.True(scheduler.TryDequeue(out var item));
        return item;
    }

    private static List<Item> Drain(FairScheduler<Item> scheduler)
    {
        var items = new List<Item>();
        while (scheduler.TryDequeue(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    internal readonly record struct Item(string Owner, int Sequence, int Size) : IFairItem;
}
