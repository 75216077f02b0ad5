using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Gateway.Engine.Transport;

/// <summary>RFC 6455 masking: XOR with a 4-byte key repeated. Vectorised; the key is applied from byte 0.</summary>
internal static class WebSocketMask
{
    public static void Apply(Span<byte> data, uint key)
    {
        // The key as it appears on the wire (big-endian bytes k0 k1 k2 k3), repeated.
        Span<byte> keyBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(keyBytes, key);
        uint native = MemoryMarshal.Read<uint>(keyBytes);

        int i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            Span<uint> words = stackalloc uint[Vector<byte>.Count / 4];
            words.Fill(native);
            var mask = new Vector<byte>(MemoryMarshal.AsBytes(words));
            var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            for (int v = 0; v < vectors.Length; v++)
            {
                vectors[v] ^= mask;
            }

            i = vectors.Length * Vector<byte>.Count;
        }

        ulong wide = native | ((ulong)native << 32);
        var longs = MemoryMarshal.Cast<byte, ulong>(data[i..]);
        for (int l = 0; l < longs.Length; l++)
        {
            longs[l] ^= wide;
        }

        i += longs.Length * 8;
        for (; i < data.Length; i++)
        {
            data[i] ^= keyBytes[i & 3];
        }
    }
}
