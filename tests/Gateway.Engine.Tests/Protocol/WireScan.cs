using Google.Protobuf;

namespace Gateway.Engine.Tests.Protocol;

/// <summary>Reads raw protobuf tags, independently of the generated code, to check what is on the wire.</summary>
internal static class WireScan
{
    /// <summary>The field numbers of a protobuf body in wire order.</summary>
    public static IReadOnlyList<int> FieldNumbers(ReadOnlySpan<byte> body)
    {
        var fields = new List<int>();
        var input = new CodedInputStream(body.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            fields.Add(WireFormat.GetTagFieldNumber(tag));
            input.SkipLastField();
        }

        return fields;
    }

    /// <summary>The field numbers of a whole frame (the 2-byte prefix is skipped).</summary>
    public static IReadOnlyList<int> FrameFieldNumbers(byte[] frame) => FieldNumbers(frame.AsSpan(2));
}
