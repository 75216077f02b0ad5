namespace Gateway.Engine.Protocol;

/// <summary>The <c>Sec-WebSocket-Protocol</c> values of the three protocol versions.</summary>
internal static class Subprotocols
{
    public const string V1 = "aws.iot.securetunneling-1.0";
    public const string V2 = "aws.iot.securetunneling-2.0";
    public const string V3 = "aws.iot.securetunneling-3.0";

    public static IReadOnlyList<string> All { get; } = [V1, V2, V3];

    /// <summary>The first offered value the relay speaks, or null.</summary>
    public static string? Choose(IReadOnlyList<string> offered)
    {
        foreach (var value in offered)
        {
            var trimmed = value.Trim();
            foreach (var known in All)
            {
                if (string.Equals(trimmed, known, StringComparison.Ordinal))
                {
                    return known;
                }
            }
        }

        return null;
    }
}
