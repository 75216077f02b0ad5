using System.Text.RegularExpressions;
using Gateway.Engine.Platform;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Settings;
using Gateway.Engine.Transport;

namespace Gateway.Engine.Sessions;

/// <summary>
/// Checks a <see cref="SessionSpec"/> and parses its strings. Every error is reported at once, each
/// naming its field (camelCase property, <c>settings.*</c> for settings). Token values never appear in messages.
/// </summary>
public static partial class SessionSpecValidator
{
    /// <summary>The longest access token accepted, in characters.</summary>
    public const int MaxAccessTokenLength = 4096;

    /// <summary>The longest display name accepted, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The longest endpoint accepted in the <c>host[:port]</c> form, in characters.</summary>
    public const int MaxEndpointLength = 253;

    /// <summary>The longest endpoint accepted in the <c>wss://</c> or <c>ws://</c> URL form, in characters.</summary>
    public const int MaxEndpointUrlLength = 2048;

    private const string ServicesField = "services";

    private const string EndpointField = "endpoint";

    private const string HttpsProxyField = "httpsProxy";

    private static readonly string[] ProxyVariables = ["https_proxy", "HTTPS_PROXY"];

    /// <summary>
    /// Validates <paramref name="spec"/>. <paramref name="environment"/> (default: the process environment) is
    /// read only for <c>https_proxy</c>, then <c>HTTPS_PROXY</c>, when <see cref="SessionSpec.HttpsProxy"/> is null.
    /// </summary>
    public static SpecValidationResult Validate(SessionSpec spec, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        environment ??= Environment.GetEnvironmentVariable;
        var errors = new List<SpecError>();

        var modeOk = Enum.IsDefined(spec.Mode);
        if (!modeOk)
        {
            errors.Add(new SpecError("mode", $"Mode {(int)spec.Mode} is not known: use Source or Destination."));
        }

        var settingsOk = false;
        if (spec.Settings is null)
        {
            errors.Add(new SpecError("settings", "Settings are required; use ProxySettings.Default for the defaults."));
        }
        else
        {
            var settingsErrors = ProxySettingsJson.Validate(spec.Settings);
            errors.AddRange(settingsErrors);
            settingsOk = settingsErrors.Count == 0;
        }

        var endpoint = ValidateEndpoint(spec, settingsOk, errors);
        ValidateTokens(spec, errors, out var clientToken, out var clientTokenGenerated);

        IReadOnlyList<ServiceMapping> services = [];
        if (modeOk)
        {
            services = ServiceMapParser.Parse(spec.Services, spec.Mode, ServicesField, errors);
        }

        if (!Enum.IsDefined(spec.MessageFormat))
        {
            errors.Add(new SpecError("messageFormat", $"Message format {(int)spec.MessageFormat} is not known: use V3, V2 or V1."));
        }
        else if (spec.MessageFormat == MessageFormat.V1 && services.Count > 1)
        {
            errors.Add(new SpecError("messageFormat", $"The V1 message format carries one service, but the map has {services.Count}; map one service or use V2/V3."));
        }

        ValidateBindAddress(spec.BindAddress, errors);
        ValidateCaPath(spec.CaPath, errors);

        var webProxy = ValidateWebProxy(spec.HttpsProxy, environment, errors);
        if (spec.Name is { Length: > MaxNameLength } name)
        {
            errors.Add(new SpecError("name", $"The name is {name.Length} characters; at most {MaxNameLength} are allowed."));
        }
        else if (spec.Name is not null && spec.Name.Any(char.IsControl))
        {
            errors.Add(new SpecError("name", "The name must not contain control characters."));
        }

        if (errors.Count > 0 || endpoint is null)
        {
            return new SpecValidationResult(null, errors);
        }

        return new SpecValidationResult(
            new ValidatedSpec(spec, endpoint, services, clientToken, clientTokenGenerated, webProxy),
            []);
    }

    private static TunnelEndpoint? ValidateEndpoint(SessionSpec spec, bool settingsOk, List<SpecError> errors)
    {
        var hasRegion = !string.IsNullOrWhiteSpace(spec.Region);
        var hasEndpoint = !string.IsNullOrWhiteSpace(spec.Endpoint);
        if (hasRegion == hasEndpoint)
        {
            errors.Add(new SpecError(EndpointField, hasRegion
                ? "Both region and endpoint are set: give exactly one of region or endpoint."
                : "Neither region nor endpoint is set: give exactly one of region or endpoint."));
            return null;
        }

        if (hasRegion)
        {
            var region = spec.Region!.Trim();
            if (!RegionPattern().IsMatch(region))
            {
                errors.Add(new SpecError("region", $"{ServiceMapParser.Quote(region)} is not a region name: use 1 to 64 lower-case letters, digits or '-', e.g. us-east-1."));
                return null;
            }

            return settingsOk
                ? new TunnelEndpoint(spec.Settings.ResolveRegionHost(region), TunnelEndpoint.DefaultPort, UseTls: true, TunnelEndpoint.DefaultPath)
                : null;
        }

        var text = spec.Endpoint!.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        return schemeEnd >= 0 ? ParseEndpointUrl(text, schemeEnd, errors) : ParseEndpointHost(text, errors);
    }

    /// <summary>The reference's <c>-e</c> form: <c>host[:port]</c> or <c>[v6]:port</c>, lower-cased, TLS, port 443, path /tunnel.</summary>
    private static TunnelEndpoint? ParseEndpointHost(string text, List<SpecError> errors)
    {
        if (text.Length > MaxEndpointLength || !EndpointPattern().IsMatch(text))
        {
            errors.Add(new SpecError(EndpointField, $"The endpoint must be host[:port] or [IPv6]:port of at most {MaxEndpointLength} letters, digits, '.', '-', ':', '[' and ']' (or a wss:// URL), e.g. data.tunneling.iot.us-east-1.amazonaws.com or relay.local:8443."));
            return null;
        }

        return ToEndpoint(text, useTls: true, TunnelEndpoint.DefaultPort, TunnelEndpoint.DefaultPath, errors);
    }

    /// <summary><c>wss://host[:port][/path]</c> or <c>ws://...</c>: no user info, query or fragment.</summary>
    private static TunnelEndpoint? ParseEndpointUrl(string text, int schemeEnd, List<SpecError> errors)
    {
        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("wss" or "ws"))
        {
            errors.Add(new SpecError(EndpointField, $"The endpoint URL scheme {ServiceMapParser.Quote(scheme)} is not supported: use wss:// (or ws:// for a plain relay), or give host[:port]."));
            return null;
        }

        if (text.Length > MaxEndpointUrlLength)
        {
            errors.Add(new SpecError(EndpointField, $"The endpoint URL is {text.Length} characters; at most {MaxEndpointUrlLength} are allowed."));
            return null;
        }

        var rest = text[(schemeEnd + 3)..];
        if (rest.IndexOfAny(['?', '#']) >= 0)
        {
            errors.Add(new SpecError(EndpointField, "The endpoint URL must not have a query or fragment; the mode query is added when connecting."));
            return null;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[slash..];
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            errors.Add(new SpecError(EndpointField, "The endpoint URL must not contain user info (user:pass@); the access token authenticates."));
            return null;
        }

        if (path is "" or "/")
        {
            path = TunnelEndpoint.DefaultPath;
        }
        else if (!PathPattern().IsMatch(path))
        {
            errors.Add(new SpecError(EndpointField, $"The endpoint URL path {ServiceMapParser.Quote(path)} has characters a URL path cannot hold."));
            return null;
        }

        var useTls = scheme == "wss";
        return ToEndpoint(authority, useTls, useTls ? 443 : 80, path, errors);
    }

    private static TunnelEndpoint? ToEndpoint(string authority, bool useTls, int defaultPort, string path, List<SpecError> errors)
    {
        if (authority.Length == 0)
        {
            errors.Add(new SpecError(EndpointField, "The endpoint has no host."));
            return null;
        }

        var reason = ServiceMapParser.ParseHostAndPort(authority, defaultPort, out var host, out var port);
        if (reason is not null)
        {
            errors.Add(new SpecError(EndpointField, $"The endpoint is not valid: {reason}."));
            return null;
        }

        // Lower-case as the reference does, but keep an IPv6 zone id (an interface name) as written.
        var zone = host.IndexOf('%', StringComparison.Ordinal);
        host = zone < 0 ? host.ToLowerInvariant() : host[..zone].ToLowerInvariant() + host[zone..];
        return new TunnelEndpoint(host, port, useTls, path);
    }

    private static void ValidateTokens(SessionSpec spec, List<SpecError> errors, out string clientToken, out bool generated)
    {
        var accessToken = spec.AccessToken ?? string.Empty;
        if (accessToken.Length == 0)
        {
            errors.Add(new SpecError("accessToken", "An access token is required."));
        }
        else if (accessToken.Length > MaxAccessTokenLength)
        {
            errors.Add(new SpecError("accessToken", $"The access token is {accessToken.Length} characters; at most {MaxAccessTokenLength} are allowed."));
        }
        else if (accessToken.Any(char.IsControl))
        {
            errors.Add(new SpecError("accessToken", "The access token contains control characters."));
        }

        if (string.IsNullOrEmpty(spec.ClientToken))
        {
            clientToken = ClientTokens.Generate();
            generated = true;
            return;
        }

        clientToken = spec.ClientToken;
        generated = false;
        if (!ClientTokens.IsValid(spec.ClientToken))
        {
            errors.Add(new SpecError("clientToken", $"The client token (given with {spec.ClientToken.Length} characters) must be {ClientTokens.MinLength} to {ClientTokens.MaxLength} letters, digits or '-'; leave it out to have one generated."));
        }
    }

    private static void ValidateBindAddress(string? bindAddress, List<SpecError> errors)
    {
        if (bindAddress is null)
        {
            return;
        }

        if (bindAddress.StartsWith('[') && bindAddress.EndsWith(']'))
        {
            errors.Add(new SpecError("bindAddress", $"Give the IPv6 bind address {ServiceMapParser.Quote(bindAddress)} without brackets."));
            return;
        }

        var isIpLiteral = ServiceMapParser.IsIPv4Literal(bindAddress) || ServiceMapParser.IsIPv6Literal(bindAddress);
        var isHostName = !bindAddress.All(c => char.IsAsciiDigit(c) || c == '.')
            && ServiceMapParser.IsHostName(bindAddress, allowUnderscore: false);
        if (!isIpLiteral && !isHostName)
        {
            errors.Add(new SpecError("bindAddress", $"The bind address {ServiceMapParser.Quote(bindAddress)} must be an IP address (127.0.0.1, ::1) or a host name of at most {ServiceMapParser.MaxHostNameLength} letters, digits, '.' and '-'."));
        }
    }

    private static void ValidateCaPath(string? caPath, List<SpecError> errors)
    {
        if (caPath is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(caPath) || !Directory.Exists(caPath))
        {
            errors.Add(new SpecError("caPath", $"The CA directory {ServiceMapParser.Quote(caPath)} does not exist."));
            return;
        }

        // Devices and kernel files are never certificates; reading them can block or never end.
        string full = Path.GetFullPath(caPath);
        string resolved;
        try
        {
            resolved = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException ex)
        {
            errors.Add(new SpecError("caPath", $"The CA directory {ServiceMapParser.Quote(caPath)} cannot be resolved: {ex.Message}"));
            return;
        }

        if (SafeFileReader.IsKernelPath(full) || SafeFileReader.IsKernelPath(resolved))
        {
            errors.Add(new SpecError("caPath", $"The CA directory {ServiceMapParser.Quote(caPath)} is under /dev, /proc or /sys; give a directory of certificate files."));
        }
    }

    private static WebProxyAddress? ValidateWebProxy(string? httpsProxy, Func<string, string?> environment, List<SpecError> errors)
    {
        if (httpsProxy is not null)
        {
            return WebProxyAddressParser.Parse(httpsProxy, HttpsProxyField, errors);
        }

        foreach (var variable in ProxyVariables)
        {
            var value = environment(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var proxyErrors = new List<SpecError>();
            var proxy = WebProxyAddressParser.Parse(value, HttpsProxyField, proxyErrors);
            errors.AddRange(proxyErrors.Select(error => error with { Message = $"From environment variable {variable}: {error.Message}" }));
            return proxy;
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    /// <summary>The reference's endpoint rule <c>^[a-zA-Z0-9.:\[\]-]+$</c>, plus '%' for an IPv6 zone id (docs/protocol.md section 17).</summary>
    [GeneratedRegex("^[a-zA-Z0-9.:\\[\\]%-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex EndpointPattern();

    [GeneratedRegex("^/[A-Za-z0-9\\-._~!$&'()*+,;=:@%/]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}
