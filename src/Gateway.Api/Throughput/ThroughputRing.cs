namespace Gateway.Api.Throughput;

/// <summary>
/// Rates (bytes per second each way) in consecutive time slots, the newest <see cref="Capacity"/> of
/// them: a ring buffer that grows up to its capacity as samples come (a short session holds little),
/// then overwrites its oldest slot. Not thread-safe: its owner locks.
/// </summary>
internal sealed class ThroughputRing(int capacity)
{
    private float[] _to = [];
    private float[] _from = [];
    private int _head;
    private int _count;
    private long _newestSlot;

    public int Capacity { get; } = capacity;

    public int Count => _count;

    /// <summary>Bytes the arrays take (for the documented bound).</summary>
    public int AllocatedBytes => (_to.Length + _from.Length) * sizeof(float);

    /// <summary>
    /// Records the rates of <paramref name="slot"/> (slots only move forward). Slots skipped since the
    /// newest (a late sample) get the same rates: the bytes were spread over them.
    /// </summary>
    public void Add(long slot, float to, float from)
    {
        if (_count > 0)
        {
            if (slot < _newestSlot)
            {
                return;
            }

            if (slot == _newestSlot)
            {
                int newest = Index(_count - 1);
                _to[newest] = to;
                _from[newest] = from;
                return;
            }

            long gap = Math.Min(slot - _newestSlot - 1, Capacity);
            for (long i = 0; i < gap; i++)
            {
                Push(to, from);
            }
        }

        Push(to, from);
        _newestSlot = slot;
    }

    /// <summary>The slots from <paramref name="fromSlot"/> on, oldest first.</summary>
    public void CopySince(long fromSlot, List<long> slots, List<float> to, List<float> from)
    {
        long oldest = _newestSlot - _count + 1;
        for (int i = (int)Math.Max(0, fromSlot - oldest); i < _count; i++)
        {
            int index = Index(i);
            slots.Add(oldest + i);
            to.Add(_to[index]);
            from.Add(_from[index]);
        }
    }

    private int Index(int i) => _count < Capacity ? i : (_head + i) % Capacity;

    private void Push(float to, float from)
    {
        if (_count < Capacity)
        {
            if (_count == _to.Length)
            {
                int size = Math.Min(Capacity, Math.Max(16, _to.Length * 2));
                Array.Resize(ref _to, size);
                Array.Resize(ref _from, size);
            }

            _to[_count] = to;
            _from[_count] = from;
            _count++;
            return;
        }

        _to[_head] = to;
        _from[_head] = from;
        _head = (_head + 1) % Capacity;
    }
}
