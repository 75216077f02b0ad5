using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.Engine.Aws;

namespace Gateway.Api.Aws;

/// <summary>
/// AWS Signature Version 4 primitives (docs/aws-api.md): the canonical request, the string to sign,
/// the signing key and the signature. Shared by the verifier (requests to our relay) and the
/// signer (our requests to AWS).
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string Terminator = "aws4_request";

    /// <summary>
    /// <c>METHOD\nURI\nQUERY\nHEADERS\nSIGNED\nHEX(SHA256(body))</c>. <paramref name="headerValue"/> must
    /// give the value of every name in <paramref name="signedHeaders"/> (lower case, sorted, as signed),
    /// several values of one header joined with commas; a null value counts as empty.
    /// </summary>
    public static string CanonicalRequest(string method, string path, string query, IReadOnlyList<string> signedHeaders, Func<string, string?> headerValue, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(signedHeaders);
        ArgumentNullException.ThrowIfNull(headerValue);
        var text = new StringBuilder(256);
        text.Append(method).Append('\n');
        text.Append(CanonicalPath(path)).Append('\n');
        text.Append(CanonicalQuery(query)).Append('\n');
        foreach (var name in signedHeaders)
        {
            text.Append(name).Append(':').Append(CanonicalHeaderValue(headerValue(name) ?? string.Empty)).Append('\n');
        }

        text.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        text.Append(HexSha256(body));
        return text.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";

    public static string Scope(string date, string region, string service) => $"{date}/{region}/{service}/{Terminator}";

    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, Terminator);
    }

    /// <summary>Lower-case hex HMAC-SHA256 of the string to sign.</summary>
    public static string Signature(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(Hmac(signingKey, stringToSign));

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string FormatDate(DateTimeOffset at) => at.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static bool TryParseDate(string? text, out DateTimeOffset at) =>
        DateTimeOffset.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);

    /// <summary>Trimmed, with every run of spaces collapsed to one (the spec's Trimall).</summary>
    public static string CanonicalHeaderValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.AsSpan().Trim();
        var text = new StringBuilder(trimmed.Length);
        bool space = false;
        foreach (char c in trimmed)
        {
            if (c == ' ' || c == '\t')
            {
                space = true;
                continue;
            }

            if (space)
            {
                text.Append(' ');
                space = false;
            }

            text.Append(c);
        }

        return text.ToString();
    }

    private static string CanonicalPath(string path) =>
        string.IsNullOrEmpty(path) ? "/" : string.Join('/', path.Split('/').Select(segment => UriEncode(Uri.UnescapeDataString(segment))));

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                string value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
                return (Key: UriEncode(key), Value: UriEncode(value));
            })
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Key}={p.Value}"));
    }

    /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, the rest %XX (upper case).</summary>
    private static string UriEncode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var encoded = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
