using System.Text.Json;
using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Profiles;

/// <summary>
/// What a profile may hold: the session fields go through the very rules of <c>POST /api/tunnels</c>
/// (<see cref="StartTunnelSpecs"/>), except that the access token may be absent (a fresh one can be given
/// at start). Every error is reported at once, named by its body field.
/// </summary>
internal static class ProfileRules
{
    public const int MaxNameLength = SessionSpecValidator.MaxNameLength;

    public const int MaxTags = 32;

    public const int MaxTagLength = 64;

    // The column sizes of ProfileEntityConfiguration, for fields the session rules do not bound.
    public const int MaxServicesLength = 8192;

    public const int MaxCaPathLength = 4096;

    public const int MaxHttpsProxyLength = 2048;

    public const int MaxSettingsLength = 65536;

    /// <summary>Stands in for the built-in relay's address while validating: the real port is only known at start.</summary>
    private const string BuiltInRelayPlaceholder = "wss://127.0.0.1/tunnel";

    /// <summary>
    /// Validates the session and profile fields of a body (tokens included when given); null and
    /// <paramref name="errors"/> filled when anything is wrong. The web proxy address is answered
    /// without its password (<see cref="ProxyPassword"/>).
    /// </summary>
    public static ProfileValues? Validate(ProfileBody body, List<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(body);
        int before = errors.Count;
        string? name = Clean(body.Name);
        if (name is null)
        {
            errors.Add(new SpecError("name", $"name is required: 1 to {MaxNameLength} characters."));
        }

        string? region = Clean(body.Region);
        string? endpoint = Clean(body.Endpoint);
        bool relay = body.UseBuiltInRelay ?? false;
        string? endpointToCheck = endpoint;
        if (relay)
        {
            if (region is not null || endpoint is not null)
            {
                errors.Add(new SpecError("useBuiltInRelay", "useBuiltInRelay connects to this gateway's own relay: give exactly one of region, endpoint or useBuiltInRelay."));
            }
            else
            {
                endpointToCheck = BuiltInRelayPlaceholder;
            }
        }
        else if (region is null && endpoint is null)
        {
            errors.Add(new SpecError("endpoint", "Neither region, endpoint nor useBuiltInRelay is set: give exactly one of them."));
            endpointToCheck = BuiltInRelayPlaceholder;
        }

        string? services = Clean(body.Services);
        string? caPath = Clean(body.CaPath);
        string? httpsProxy = Clean(body.HttpsProxy);
        CheckLength("services", services, MaxServicesLength, errors);
        CheckLength("caPath", caPath, MaxCaPathLength, errors);
        CheckLength("httpsProxy", httpsProxy, MaxHttpsProxyLength, errors);

        JsonElement? settings = body.Settings is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given ? given : null;
        string? settingsJson = settings is { } s ? JsonSerializer.Serialize(s) : null;
        CheckLength("settings", settingsJson, MaxSettingsLength, errors);
        var tags = ValidateTags(body.Tags, errors);

        string? accessToken = string.IsNullOrEmpty(body.AccessToken) ? null : body.AccessToken;
        var candidate = body with
        {
            Name = name,
            Region = region,
            Endpoint = endpointToCheck,
            Services = services,
            BindAddress = Clean(body.BindAddress),
            CaPath = caPath,
            HttpsProxy = httpsProxy,
            DestinationClientType = Clean(body.DestinationClientType),
            Settings = settings,
        };

        // The one difference from a session: a profile may be saved without an access token.
        errors.AddRange(StartTunnelSpecs.Validate(candidate, accessToken, string.IsNullOrEmpty(body.ClientToken) ? null : body.ClientToken, out var parsed)
            .Where(e => accessToken is not null || e.Field != "accessToken"));
        if (errors.Count > before)
        {
            return null;
        }

        return new ProfileValues(
            name!,
            parsed.Mode.Name(),
            region,
            endpoint,
            relay,
            services,
            candidate.BindAddress,
            caPath,
            body.SkipTlsVerify ?? false,
            ProxyPassword.Split(httpsProxy).Address,
            candidate.DestinationClientType is null ? null : parsed.MessageFormat.ToString(),
            settingsJson,
            tags,
            body.Autostart ?? false);
    }

    /// <summary>Trimmed; null when null, empty or white space.</summary>
    public static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static List<string> ValidateTags(IReadOnlyList<string>? given, List<SpecError> errors)
    {
        var tags = new List<string>();
        if (given is null)
        {
            return tags;
        }

        if (given.Count > MaxTags)
        {
            errors.Add(new SpecError("tags", $"{given.Count} tags are given; at most {MaxTags} are allowed."));
            return tags;
        }

        for (int i = 0; i < given.Count; i++)
        {
            string tag = given[i]?.Trim() ?? string.Empty;
            if (tag.Length is 0 or > MaxTagLength || tag.Any(char.IsControl))
            {
                errors.Add(new SpecError("tags", $"Each tag must be 1 to {MaxTagLength} characters without control characters; tag {i + 1} is not."));
                continue;
            }

            if (!tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            {
                tags.Add(tag);
            }
        }

        return tags;
    }

    private static void CheckLength(string field, string? value, int max, List<SpecError> errors)
    {
        if (value is { Length: var length } && length > max)
        {
            errors.Add(new SpecError(field, $"{field} is {length} characters; at most {max} are allowed."));
        }
    }
}
