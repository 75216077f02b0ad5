using System.Text;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Transport;

/// <summary>
/// Parses a web proxy address (docs/protocol.md section 14): <c>[http|https]://[user:pass@]host[:port]</c>.
/// The scheme defaults to http and the port to 3128; IPv6 hosts are bracketed; user and password are
/// percent-decoded and <c>%00</c> is rejected. Messages never contain the password.
/// </summary>
internal static class WebProxyAddressParser
{
    private const string SchemeSeparator = "://";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Null (and no error) for a null, empty or blank value; null with errors for a bad one.</summary>
    public static WebProxyAddress? Parse(string? value, string field, List<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        var useTls = false;
        var rest = text;
        var schemeEnd = text.IndexOf(SchemeSeparator, StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = text[..schemeEnd].ToLowerInvariant();
            if (scheme is not ("http" or "https"))
            {
                var shown = scheme.Length == 0 ? "an empty scheme" : $"the scheme {ServiceMapParser.Quote(scheme)}";
                errors.Add(new SpecError(field, $"The web proxy address has {shown}; only http:// and https:// are supported."));
                return null;
            }

            useTls = scheme == "https";
            rest = text[(schemeEnd + SchemeSeparator.Length)..];
        }

        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        if (authorityEnd >= 0)
        {
            if (rest[authorityEnd..] != "/")
            {
                errors.Add(new SpecError(field, "The web proxy address must not have a path, query or fragment: give [http|https]://[user:pass@]host[:port]."));
                return null;
            }

            rest = rest[..authorityEnd];
        }

        string? userName = null;
        string? password = null;
        var at = rest.LastIndexOf('@');
        var hostAndPort = rest;
        if (at >= 0)
        {
            var userInfo = rest[..at];
            hostAndPort = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var rawUser = colon < 0 ? userInfo : userInfo[..colon];
            var rawPassword = colon < 0 ? string.Empty : userInfo[(colon + 1)..];
            var errorCount = errors.Count;
            userName = Decode(rawUser, "user name", field, errors);
            password = Decode(rawPassword, "password", field, errors);
            if (userName is { Length: 0 })
            {
                errors.Add(new SpecError(field, "The web proxy user name before '@' is empty."));
            }

            if (errors.Count > errorCount)
            {
                return null;
            }
        }

        if (hostAndPort.Length == 0)
        {
            errors.Add(new SpecError(field, "The web proxy address has no host: give [http|https]://[user:pass@]host[:port]."));
            return null;
        }

        var reason = ServiceMapParser.ParseHostAndPort(hostAndPort, WebProxyAddress.DefaultPort, out var host, out var port);
        if (reason is not null)
        {
            errors.Add(new SpecError(field, $"The web proxy address is not valid: {reason}."));
            return null;
        }

        return new WebProxyAddress(host, port, useTls, userName, password);
    }

    /// <summary>Percent-decodes a user-info part as UTF-8; never puts the value into a message.</summary>
    private static string? Decode(string raw, string what, string field, List<SpecError> errors)
    {
        var bytes = Encoding.UTF8.GetBytes(raw);
        var decoded = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'%')
            {
                decoded.Add(bytes[i]);
                continue;
            }

            if (i + 2 >= bytes.Length || !IsHex(bytes[i + 1]) || !IsHex(bytes[i + 2]))
            {
                errors.Add(new SpecError(field, $"The web proxy {what} has a '%' that is not followed by two hex digits."));
                return null;
            }

            var b = (byte)((HexValue(bytes[i + 1]) << 4) | HexValue(bytes[i + 2]));
            if (b == 0)
            {
                errors.Add(new SpecError(field, $"The web proxy {what} contains %00, which is not allowed."));
                return null;
            }

            decoded.Add(b);
            i += 2;
        }

        try
        {
            return StrictUtf8.GetString(decoded.ToArray());
        }
        catch (DecoderFallbackException)
        {
            errors.Add(new SpecError(field, $"The web proxy {what} is not valid UTF-8 after percent-decoding."));
            return null;
        }
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => b - 'A' + 10,
    };
}
