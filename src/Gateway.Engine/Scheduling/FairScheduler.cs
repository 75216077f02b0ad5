using System.Threading.Tasks.Sources;

namespace Gateway.Engine.Scheduling;

/// <summary>What the scheduler needs to know of a queued item: its size in bytes.</summary>
internal interface IFairItem
{
    int Size { get; }
}

/// <summary>
/// The queue in front of one socket writer, shared by many producers (connections) and drained by
/// one consumer. Items go either to a small priority lane (control frames that depend on no data,
/// served first) or to one lane per connection; lanes with items take turns by deficit
/// round-robin with a quantum of one maximal frame, so a connection's next item waits behind at
/// most about one item per other active lane, never behind another connection's whole queue.
/// Each lane is FIFO, so items of one connection keep their order. The scheduler bounds nothing
/// itself: producers bound their own lane (a semaphore per lane) so a slow or heavy connection
/// waits alone. No allocation per item once the lanes' queues have grown; the consumer's wait
/// reuses one value-task source.
/// </summary>
internal sealed class FairScheduler<T> : IValueTaskSource<bool>
    where T : struct, IFairItem
{
    /// <summary>Priority items served in a row before one data lane gets its turn (no starvation).</summary>
    public const int PriorityBurst = 8;

    private readonly Lock _gate = new();
    private readonly Queue<T> _priority = new();
    private readonly Queue<Lane> _active = new();
    private readonly int _quantum;
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private bool _waiting;
    private bool _completed;
    private int _priorityRun;
    private int _count;

    /// <param name="quantum">Bytes a lane may send per turn, about one maximal item.</param>
    /// <param name="runContinuationsAsynchronously">False: a producer's enqueue runs the waiting consumer inline (no thread hop).</param>
    public FairScheduler(int quantum, bool runContinuationsAsynchronously = true)
    {
        _quantum = Math.Max(1, quantum);
        _waiter.RunContinuationsAsynchronously = runContinuationsAsynchronously;
    }

    /// <summary>Items queued in all lanes.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public bool IsEmpty => Count == 0;

    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>Queues a priority item. False once completed.</summary>
    public bool TryEnqueuePriority(in T item) => TryEnqueue(null, item);

    /// <summary>Queues an item in <paramref name="lane"/> (null: the priority lane). False once completed.</summary>
    public bool TryEnqueue(Lane? lane, in T item)
    {
        bool wake;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            if (lane is null)
            {
                _priority.Enqueue(item);
            }
            else
            {
                lane.Items.Enqueue(item);
                if (!lane.Active)
                {
                    lane.Active = true;
                    lane.Deficit = 0;
                    _active.Enqueue(lane);
                }
            }

            _count++;
            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            _waiter.SetResult(true);
        }

        return true;
    }

    /// <summary>The next item by priority, then deficit round-robin. Consumer only.</summary>
    public bool TryDequeue(out T item)
    {
        lock (_gate)
        {
            if (_priority.Count > 0 && (_priorityRun < PriorityBurst || _active.Count == 0))
            {
                _priorityRun++;
                _count--;
                item = _priority.Dequeue();
                return true;
            }

            _priorityRun = 0;
            if (_active.TryPeek(out var lane))
            {
                var head = lane.Items.Peek();
                if (lane.Deficit < head.Size)
                {
                    lane.Deficit += _quantum;
                }

                item = lane.Items.Dequeue();
                _count--;
                lane.Deficit -= item.Size;
                if (lane.Items.Count == 0)
                {
                    lane.Active = false;
                    lane.Deficit = 0;
                    _active.Dequeue();
                }
                else if (lane.Deficit < lane.Items.Peek().Size)
                {
                    // Turn over: this lane goes to the back with what credit it has left.
                    _active.Dequeue();
                    _active.Enqueue(lane);
                }

                return true;
            }

            item = default;
            return false;
        }
    }

    /// <summary>
    /// Completes when an item is queued (true) or the scheduler is completed and empty (false).
    /// One consumer; at most one wait at a time.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _waiter.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>No more items are accepted; the consumer still drains what is queued.</summary>
    public bool Complete()
    {
        bool wake;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            // Waiting means nothing was queued, and nothing can be queued once completed.
            _waiter.SetResult(false);
        }

        return true;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    /// <summary>One connection's FIFO within the scheduler, with the slots its producer waits for (its bound).</summary>
    internal sealed class Lane(int capacity)
    {
        /// <summary>Items the producer may have queued at once; it takes one before queuing, the consumer gives it back.</summary>
        public SemaphoreSlim Slots { get; } = new(capacity, capacity);

        internal Queue<T> Items { get; } = new(capacity);

        internal int Deficit { get; set; }

        internal bool Active { get; set; }
    }
}
