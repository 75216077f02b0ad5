using System.Globalization;
using System.Text;

namespace Gateway.Engine.Logging;

/// <summary>
/// Makes a string that came from the network safe to put in a log line: control characters
/// (C0, DEL, C1, among them CR, LF, NUL and ESC), Unicode line and paragraph separators, bidi
/// controls and lone surrogates are written as <c>\xNN</c> or <c>\uNNNN</c>, so a peer cannot
/// start a forged log line or drive a terminal; and the text is cut to a length, so a peer cannot
/// flood the log through one field. Printable text, including backslashes, is kept as it is, so
/// escaping twice changes nothing. The common case (short, printable) returns the string itself.
/// </summary>
internal static class LogText
{
    /// <summary>Characters kept of one remote value (a service id, a close reason, a header).</summary>
    public const int DefaultMaxLength = 256;

    public static string Escape(string? value, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (value is null)
        {
            return string.Empty;
        }

        if (value.Length <= maxLength && FirstUnsafe(value) < 0)
        {
            return value;
        }

        var text = new StringBuilder(Math.Min(value.Length, maxLength) + 16);
        int kept = 0;
        int i = 0;
        for (; i < value.Length && kept < maxLength; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (kept + 2 > maxLength)
                {
                    break;
                }

                text.Append(c).Append(value[++i]);
                kept += 2;
            }
            else if (IsUnsafe(c))
            {
                text.Append(c <= 0xFF
                    ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}")
                    : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
                kept++;
            }
            else
            {
                text.Append(c);
                kept++;
            }
        }

        if (i < value.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"... ({value.Length} chars)");
        }

        return text.ToString();
    }

    private static int FirstUnsafe(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(c))
            {
                return i;
            }
        }

        return -1;
    }

    // Lone surrogates count as unsafe; a valid pair is handled by the callers before this.
    private static bool IsUnsafe(char c) =>
        c < 0x20 || (c >= 0x7F && c <= 0x9F)
        || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F'
        || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
        || char.IsSurrogate(c);
}
