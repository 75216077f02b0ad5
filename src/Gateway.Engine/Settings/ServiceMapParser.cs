using System.Globalization;
using System.Net.Sockets;
using System.Net;
using Gateway.Engine.Protocol;
using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Settings;

/// <summary>
/// Parses a service map (<c>-s</c>/<c>-d</c>, docs/protocol.md section 13): comma-separated entries
/// <c>ID=value</c>, or one unnamed <c>value</c>. Source values are listen ports; destination values are
/// <c>22</c>, <c>host:22</c>, <c>10.0.0.1:80</c>, <c>[::1]:22</c>, <c>[fe80::1%eth0]:22</c> or a unix
/// socket path (any value containing <c>/</c>). Every bad entry is reported, not just the first.
/// Also holds the host/port syntax shared by the other address parsers of the engine.
/// </summary>
public static class ServiceMapParser
{
    /// <summary>The longest host name accepted, in characters (253, as DNS allows), for service maps and bind addresses.</summary>
    public const int MaxHostNameLength = 253;

    private const int MaxQuotedLength = 120;

    private const int MaxLabelLength = 63;

    private const int MaxZoneLength = 64;

    /// <summary>
    /// Parses <paramref name="map"/>; errors go to <paramref name="errors"/> under <paramref name="field"/>.
    /// Returns the valid entries in map order; of entries sharing a service id only the first is kept.
    /// </summary>
    public static IReadOnlyList<ServiceMapping> Parse(string? map, SessionMode mode, string field, List<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(errors);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown session mode.");
        }

        if (string.IsNullOrWhiteSpace(map))
        {
            return [];
        }

        var entries = map.Split(',');
        var result = new List<ServiceMapping>(entries.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var servicesByPort = new Dictionary<int, string?>();
        foreach (var rawEntry in entries)
        {
            var entry = rawEntry.Trim();
            if (entry.Length == 0)
            {
                errors.Add(new SpecError(field, "The map has an empty entry (two commas in a row, or a comma at the start or end)."));
                continue;
            }

            string? serviceId = null;
            var value = entry;
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                serviceId = entry[..equals].Trim();
                value = entry[(equals + 1)..].Trim();
                if (serviceId.Length == 0)
                {
                    errors.Add(new SpecError(field, $"{Quote(entry)}: the service id before '=' is empty. Expected ID=value, e.g. {Example(mode)}."));
                    continue;
                }

                if (!ServiceIdRules.IsValid(serviceId))
                {
                    errors.Add(new SpecError(field, $"{Quote(entry)}: the service id {Quote(serviceId)} is not valid: use 1 to {ServiceIdRules.MaxLength} letters, digits, '_' or '-'."));
                    continue;
                }
            }
            else if (entries.Length > 1)
            {
                errors.Add(new SpecError(field, $"{Quote(entry)}: an entry without a service id is only allowed alone, e.g. `{UnnamedExample(mode)}`; name every entry of a map with several, e.g. {Example(mode)}."));
                continue;
            }

            var endpoint = mode == SessionMode.Source
                ? ParseSourceValue(entry, value, field, errors)
                : ParseDestinationValue(entry, value, field, errors);
            if (endpoint is null)
            {
                continue;
            }

            if (serviceId is not null && !seen.Add(serviceId))
            {
                // docs/protocol.md section 13: a duplicate id in a map is ignored; the first entry wins.
                continue;
            }

            // Two services cannot share one listener: the second bind would fail at start, or worse, its
            // connections would be taken for the first service.
            if (mode == SessionMode.Source && !servicesByPort.TryAdd(endpoint.Port, serviceId))
            {
                errors.Add(new SpecError(field, $"The services {Quote(servicesByPort[endpoint.Port] ?? "(unnamed)")} and {Quote(serviceId ?? "(unnamed)")} both map to port {endpoint.Port.ToString(CultureInfo.InvariantCulture)}; give each service its own port."));
                continue;
            }

            result.Add(new ServiceMapping(serviceId, endpoint));
        }

        return result;
    }

    /// <summary>The canonical map string: <see cref="Parse"/> of it gives the same mappings back.</summary>
    public static string Format(IReadOnlyList<ServiceMapping> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return string.Join(",", services.Select(service =>
            service.ServiceId is null ? service.Endpoint.ToString() : $"{service.ServiceId}={service.Endpoint}"));
    }

    /// <summary>
    /// Parses <c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c> (a zone id <c>%eth0</c> is allowed
    /// inside the brackets). The host comes back without brackets. Returns null on success, else the reason;
    /// the reason quotes at most the host or port part, never the whole text.
    /// </summary>
    internal static string? ParseHostAndPort(string text, int? defaultPort, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        string hostPart;
        string? portPart;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "the '[' of an IPv6 address has no closing ']'";
            }

            hostPart = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length == 0)
            {
                portPart = null;
            }
            else if (rest[0] == ':')
            {
                portPart = rest[1..];
            }
            else
            {
                return "only ':' and a port may follow the ']' of an IPv6 address";
            }

            if (!IsIPv6Literal(hostPart))
            {
                return $"{Quote(hostPart)} in brackets is not an IPv6 address";
            }
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && colon != text.LastIndexOf(':'))
            {
                return $"an IPv6 address must be in brackets when a port follows, e.g. [::1]:{defaultPort ?? 22}";
            }

            hostPart = colon < 0 ? text : text[..colon];
            portPart = colon < 0 ? null : text[(colon + 1)..];
            if (hostPart.Length == 0)
            {
                return "the host before ':' is empty";
            }

            var hostError = CheckHost(hostPart);
            if (hostError is not null)
            {
                return hostError;
            }
        }

        if (portPart is null)
        {
            if (defaultPort is null)
            {
                return "a port is required";
            }

            port = defaultPort.Value;
        }
        else if (!TryParsePort(portPart, out port))
        {
            return $"{Quote(portPart)} is not a port: use a number from 1 to 65535";
        }

        host = hostPart;
        return null;
    }

    /// <summary>A decimal port 1..65535: ASCII digits only, no sign, no spaces.</summary>
    internal static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port is >= 1 and <= 65535;
    }

    /// <summary>Null when <paramref name="host"/> is a dotted-quad IPv4 address or a host name (letters, digits, '.', '-', '_'), else the reason.</summary>
    internal static string? CheckHost(string host)
    {
        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return IsIPv4Literal(host) ? null : $"{Quote(host)} is not an IPv4 address (four numbers 0-255 separated by dots)";
        }

        return IsHostName(host, allowUnderscore: true)
            ? null
            : $"{Quote(host)} is not a valid host name: use at most {MaxHostNameLength} letters, digits, '.', '-' or '_', without empty labels";
    }

    /// <summary>Exactly four decimal parts 0-255 (no legacy forms such as <c>10.1</c>).</summary>
    internal static bool IsIPv4Literal(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4
            && parts.All(part => part.Length is >= 1 and <= 3 && part.All(char.IsAsciiDigit) && int.Parse(part, CultureInfo.InvariantCulture) <= 255)
            && IPAddress.TryParse(text, out var address)
            && address.AddressFamily == AddressFamily.InterNetwork;
    }

    /// <summary>An unbracketed IPv6 address with an optional zone id (<c>fe80::1%eth0</c>, <c>fe80::1%2</c>).</summary>
    internal static bool IsIPv6Literal(string text)
    {
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        var address = percent < 0 ? text : text[..percent];
        if (percent >= 0)
        {
            var zone = text[(percent + 1)..];
            if (zone.Length is 0 or > MaxZoneLength || !zone.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        // The zone is checked above and kept out of TryParse: it would resolve interface names of this machine.
        return address.Length > 0
            && address.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            && address.Contains(':', StringComparison.Ordinal)
            && IPAddress.TryParse(address, out var parsed)
            && parsed.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>Letters, digits, '-', (optionally '_') in non-empty dot-separated labels of at most 63 characters; a final dot is allowed.</summary>
    internal static bool IsHostName(string text, bool allowUnderscore)
    {
        if (text.Length is 0 or > MaxHostNameLength)
        {
            return false;
        }

        var labels = (text.EndsWith('.') ? text[..^1] : text).Split('.');
        return labels.All(label => label.Length is >= 1 and <= MaxLabelLength
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || (allowUnderscore && c == '_')));
    }

    /// <summary>Single-quotes a user value for a message, shortened when very long.</summary>
    internal static string Quote(string value) =>
        value.Length <= MaxQuotedLength ? $"'{value}'" : $"'{value[..MaxQuotedLength]}…'";

    private static ServiceEndpoint? ParseSourceValue(string entry, string value, string field, List<SpecError> errors)
    {
        if (TryParsePort(value, out var port))
        {
            return ServiceEndpoint.ForPort(port);
        }

        errors.Add(new SpecError(field, $"{Quote(entry)}: a source entry needs a listen port from 1 to 65535, e.g. `5555` or SSH1=5555."));
        return null;
    }

    private static ServiceEndpoint? ParseDestinationValue(string entry, string value, string field, List<SpecError> errors)
    {
        const string Expected = "Expected a port (22), host:port (localhost:22, 10.0.0.1:80), [IPv6]:port ([::1]:22) or a unix socket path (/run/app.sock)";
        if (value.Length == 0)
        {
            errors.Add(new SpecError(field, $"{Quote(entry)}: the value is empty. {Expected}."));
            return null;
        }

        if (value.Contains('/', StringComparison.Ordinal))
        {
            if (value.Any(char.IsControl))
            {
                errors.Add(new SpecError(field, $"{Quote(entry)}: the unix socket path contains control characters."));
                return null;
            }

            return new ServiceEndpoint { UnixSocketPath = value };
        }

        if (value.All(char.IsAsciiDigit))
        {
            if (TryParsePort(value, out var onlyPort))
            {
                return ServiceEndpoint.ForPort(onlyPort);
            }

            errors.Add(new SpecError(field, $"{Quote(entry)}: {Quote(value)} is not a port: use a number from 1 to 65535."));
            return null;
        }

        var reason = ParseHostAndPort(value, defaultPort: null, out var host, out var port);
        if (reason is not null)
        {
            errors.Add(new SpecError(field, $"{Quote(entry)}: {reason}. {Expected}."));
            return null;
        }

        return new ServiceEndpoint { Host = host, Port = port };
    }

    private static string Example(SessionMode mode) => mode == SessionMode.Source ? "SSH1=5555,WEB=8080" : "SSH1=22,WEB=10.0.0.1:80";

    private static string UnnamedExample(SessionMode mode) => mode == SessionMode.Source ? "5555" : "22";
}
