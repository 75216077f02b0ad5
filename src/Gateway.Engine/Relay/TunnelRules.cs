using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Engine.Relay;

/// <summary>
/// The AWS service's constraints on a tunnel's definition (botocore model of IoTSecuredTunneling),
/// shared by our REST API and the AWS management API so a tunnel valid in one is valid in the other.
/// </summary>
internal static partial class TunnelRules
{
    public const int MaxDescriptionLength = 2048;
    public const int MaxThingNameLength = 128;
    public const int MaxServiceLength = 128;
    public const int MaxTags = 200;
    public const int MaxTagKeyLength = 128;
    public const int MaxTagValueLength = 256;
    public const int MaxTunnelIdLength = 128;

    /// <summary>AWS <c>Service</c>: 1-128 of <c>[a-zA-Z0-9:_-]</c>.</summary>
    public static bool IsValidService(string? service) =>
        !string.IsNullOrEmpty(service) && service.Length <= MaxServiceLength && ServicePattern().IsMatch(service);

    /// <summary>AWS <c>ThingName</c>: 1-128 of <c>[a-zA-Z0-9:_-]</c>.</summary>
    public static bool IsValidThingName(string? thingName) =>
        !string.IsNullOrEmpty(thingName) && thingName.Length <= MaxThingNameLength && ServicePattern().IsMatch(thingName);

    /// <summary>AWS <c>TunnelId</c>: 1-128 of <c>[a-zA-Z0-9_-+=:]</c>.</summary>
    public static bool IsValidTunnelId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxTunnelIdLength && TunnelIdPattern().IsMatch(id);

    /// <summary>
    /// Why a description breaks AWS's <c>[^\p{C}]{1,2048}</c>, or null when it does not. The length is
    /// counted in characters (code points), as the service's pattern does.
    /// </summary>
    public static string? DescriptionProblem(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        int count = 0;
        foreach (var rune in description.EnumerateRunes())
        {
            count++;
            if (IsControlOrFormat(rune))
            {
                return $"must not contain control or format characters (found U+{rune.Value:X4} at character {count})";
            }
        }

        if (count == 0)
        {
            return "must be at least 1 character";
        }

        return count > MaxDescriptionLength ? $"must be at most {MaxDescriptionLength} characters ({count} given)" : null;
    }

    /// <summary>Why a tag key or value breaks AWS's <c>[\p{L}\p{Z}\p{N}_.:/=+\-@]*</c> and length rule, or null.</summary>
    public static string? TagTextProblem(string text, int minLength, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        int count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            count++;
            if (!IsTagRune(rune))
            {
                return $"must contain only letters, digits, spaces and _ . : / = + - @ (found '{Printable(rune)}' at character {count})";
            }
        }

        if (count < minLength)
        {
            return $"must be at least {minLength} character";
        }

        return count > maxLength ? $"must be at most {maxLength} characters ({count} given)" : null;
    }

    /// <summary>Tags as the service stores them: a later tag with the same key replaces the earlier one.</summary>
    public static IReadOnlyList<TunnelTag> Merge(IEnumerable<TunnelTag> existing, IEnumerable<TunnelTag> added)
    {
        var merged = new List<TunnelTag>(existing);
        foreach (var tag in added)
        {
            int at = merged.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.Ordinal));
            if (at >= 0)
            {
                merged[at] = tag;
            }
            else
            {
                merged.Add(tag);
            }
        }

        return merged;
    }

    private static bool IsControlOrFormat(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static bool IsTagRune(Rune rune)
    {
        if (Rune.IsLetter(rune) || Rune.IsNumber(rune))
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            || (rune.IsAscii && "_.:/=+-@".Contains((char)rune.Value, StringComparison.Ordinal));
    }

    private static string Printable(Rune rune) => rune.Value < 0x20 || rune.Value == 0x7F ? $"\\x{rune.Value:X2}" : rune.ToString();

    [GeneratedRegex(@"\A[a-zA-Z0-9:_-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ServicePattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9_\-+=:]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex TunnelIdPattern();
}
