namespace Gateway.Testing;

/// <summary>
/// A growable read buffer over a stream: fill until N bytes are available, look at them, consume them.
/// Bytes read but not consumed stay available (e.g. bytes that followed an HTTP head).
/// Not thread-safe: one reader at a time.
/// </summary>
public sealed class StreamBuffer
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public StreamBuffer(Stream stream, int initialCapacity = 16 * 1024)
    {
        _stream = stream;
        _buffer = new byte[initialCapacity];
    }

    public int Count => _end - _start;

    public ReadOnlySpan<byte> Data => _buffer.AsSpan(_start, Count);

    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        _start += count;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
    }

    public byte[] Take(int count)
    {
        var bytes = Data[..count].ToArray();
        Consume(count);
        return bytes;
    }

    /// <summary>Reads until at least <paramref name="count"/> bytes are buffered; false if the stream ended first.</summary>
    public async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (Count < count)
        {
            if (await ReadMoreAsync(count - Count, cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One read from the stream into the buffer; returns the number of bytes read (0 = end of stream).</summary>
    public async Task<int> ReadMoreAsync(int atLeastRoomFor, CancellationToken cancellationToken)
    {
        EnsureRoom(Math.Max(atLeastRoomFor, 4096));
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read;
    }

    /// <summary>
    /// Reads an HTTP head up to and including CRLFCRLF and consumes it; bytes after it stay buffered.
    /// Returns null if the stream ended first; throws <see cref="InvalidDataException"/> past <paramref name="maxBytes"/>.
    /// </summary>
    public async Task<byte[]?> ReadHeadAsync(int maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = Data.IndexOf("\r\n\r\n"u8);
            if (end >= 0 && end + 4 <= maxBytes)
            {
                return Take(end + 4);
            }

            if (end >= 0 || Count >= maxBytes)
            {
                throw new InvalidDataException($"HTTP head exceeds {maxBytes} bytes; first bytes: {Hex.Preview(Data, 128)}");
            }

            if (await ReadMoreAsync(4096, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }
        }
    }

    private void EnsureRoom(int room)
    {
        if (_buffer.Length - _end >= room)
        {
            return;
        }

        var count = Count;
        if (_buffer.Length - count >= room)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, count);
        }
        else
        {
            var bigger = new byte[Math.Max(_buffer.Length * 2, count + room)];
            Buffer.BlockCopy(_buffer, _start, bigger, 0, count);
            _buffer = bigger;
        }

        _start = 0;
        _end = count;
    }
}
