namespace Gateway.Testing;

/// <summary>Hex helpers for assertions and failure messages.</summary>
public static class Hex
{
    /// <summary>Lower-case hex, no separators.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Parses hex; white space (spaces, tabs, new lines) between digits is ignored.</summary>
    public static byte[] Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var compact = new string(hex.Where(c => !char.IsWhiteSpace(c)).ToArray());
        return Convert.FromHexString(compact);
    }

    /// <summary>Hex of at most <paramref name="maxBytes"/> bytes, with a note about the rest.</summary>
    public static string Preview(ReadOnlySpan<byte> bytes, int maxBytes = 64)
    {
        if (bytes.Length <= maxBytes)
        {
            return Of(bytes);
        }

        return $"{Of(bytes[..maxBytes])}... ({bytes.Length} bytes)";
    }
}
