namespace Gateway.Bench.Infrastructure;

/// <summary>
/// The bytes every sender sends: byte i of a stream is (i + seed) mod 251, a period that no
/// buffer size divides, so a lost, repeated or reordered chunk shows at the receiver.
/// </summary>
internal static class Pattern
{
    public const int Period = 251;

    /// <summary>ChunkSize + one period of the pattern, so any offset has a contiguous slice of ChunkSize bytes.</summary>
    public const int ChunkSize = 1024 * 1024;

    private static readonly byte[] Bytes = Build();

    /// <summary>The pattern at stream offset <paramref name="offset"/> for <paramref name="seed"/>, up to <see cref="ChunkSize"/> bytes long.</summary>
    public static ReadOnlyMemory<byte> At(long offset, int seed, int length) =>
        Bytes.AsMemory((int)((offset + seed) % Period), length);

    /// <summary>True when <paramref name="received"/> is what a sender with <paramref name="seed"/> sent at <paramref name="offset"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> received, long offset, int seed)
    {
        while (!received.IsEmpty)
        {
            int take = Math.Min(received.Length, ChunkSize);
            if (!received[..take].SequenceEqual(At(offset, seed, take).Span))
            {
                return false;
            }

            received = received[take..];
            offset += take;
        }

        return true;
    }

    private static byte[] Build()
    {
        var bytes = new byte[ChunkSize + Period];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i % Period);
        }

        return bytes;
    }
}
