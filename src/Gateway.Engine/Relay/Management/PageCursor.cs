using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Gateway.Engine.Relay.Management;

/// <summary>
/// ListTunnels' opaque <c>nextToken</c>: the position (creation time, id) of the last tunnel of a
/// page, base64url-encoded, so a page boundary survives tunnels opened or deleted in between.
/// </summary>
internal static class PageCursor
{
    public static string Encode(RelayTunnelSnapshot last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"v1|{last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{last.Id}"));

    public static bool TryDecode(string token, out long createdTicks, out string id)
    {
        createdTicks = 0;
        id = string.Empty;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split('|');
        if (parts.Length != 3 || parts[0] != "v1" || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out createdTicks) || parts[2].Length == 0)
        {
            return false;
        }

        id = parts[2];
        return true;
    }

    /// <summary>True when <paramref name="tunnel"/> comes after the cursor in newest-first order.</summary>
    public static bool IsAfter(RelayTunnelSnapshot tunnel, long createdTicks, string id) =>
        tunnel.CreatedAt.UtcTicks < createdTicks
        || (tunnel.CreatedAt.UtcTicks == createdTicks && string.CompareOrdinal(tunnel.Id, id) < 0);
}
