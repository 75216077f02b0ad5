using System.Text.Json;
using Gateway.Api.Data;
using Gateway.Api.Sessions;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Profiles;

/// <summary>
/// Turns a stored profile into the <see cref="SessionSpec"/> to start: the one way a profile becomes a
/// session (<c>POST /api/tunnels</c> with a <c>profileId</c>, autostart). A DI singleton.
/// </summary>
/// <remarks>
/// <para><see cref="Build"/> decrypts the profile's tokens, applies the <see cref="ProfileStartOverrides"/>
/// (a given override wins over the profile's value; tokens given there are used, never stored), fills
/// in this gateway's relay address and CA directory for a <c>useBuiltInRelay</c> profile, and validates
/// the profile's <see cref="SessionFields"/> with the rules of <c>POST /api/tunnels</c> (no HTTP body in between). The caller then passes
/// <see cref="ProfileSpecResult.Spec"/> to <c>SessionManager.Start</c>.</para>
/// <para>Errors (every one at once, fields as in a <c>POST /api/tunnels</c> body; answer them with
/// <c>TypedResults.ValidationProblem(result.ToValidationErrors())</c>):
/// <c>accessToken</c> when the profile stores none and no override gives one, or when a stored token
/// cannot be decrypted (data-protection keys lost); the same for <c>clientToken</c>; <c>useBuiltInRelay</c>
/// when the gateway has no HTTPS address (yet: it is known once the server listens, so autostart must
/// run at or after <c>ApplicationStarted</c>); and any field an override (or a changed host, e.g. a
/// deleted caPath) made invalid.</para>
/// <para>The spec carries plain tokens: never log or serialise it.</para>
/// </remarks>
internal sealed class ProfileSessionSpecs(ProfileSecrets secrets, BuiltInRelayEndpoint relay)
{
    /// <summary>Builds and validates the spec of one session started from <paramref name="profile"/>.</summary>
    /// <param name="profile">The stored profile (read-only here).</param>
    /// <param name="overrides">Values for this session only; null or <see cref="ProfileStartOverrides.None"/> for none.</param>
    public ProfileSpecResult Build(ProfileEntity profile, ProfileStartOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        overrides ??= ProfileStartOverrides.None;
        var errors = new List<SpecError>();

        string? accessToken = Token(overrides.AccessToken, profile.ProtectedAccessToken, "accessToken", "access token", errors);
        if (accessToken is null && errors.TrueForAll(e => e.Field != "accessToken"))
        {
            errors.Add(new SpecError("accessToken", $"Profile '{profile.Name}' stores no access token: give accessToken when starting it."));
        }

        string? clientToken = Token(overrides.ClientToken, profile.ProtectedClientToken, "clientToken", "client token", errors);
        string? httpsProxy = profile.HttpsProxy;
        if (httpsProxy is not null && Token(null, profile.ProtectedProxyPassword, "httpsProxy", "web proxy password", errors) is { } password)
        {
            httpsProxy = ProxyPassword.Join(httpsProxy, password);
        }

        string? endpoint = profile.Endpoint;
        string? caPath = profile.CaPath;
        if (profile.UseBuiltInRelay)
        {
            endpoint = relay.Endpoint;
            caPath ??= relay.CaDirectory;
            if (endpoint is null)
            {
                errors.Add(new SpecError("useBuiltInRelay", "This gateway has no HTTPS address (yet), so its built-in relay cannot be reached; start the session once the gateway listens on HTTPS."));
            }
        }

        JsonElement? settings = null;
        if (profile.SettingsJson is { Length: > 0 } json)
        {
            using var document = JsonDocument.Parse(json);
            settings = document.RootElement.Clone();
        }

        var fields = new SessionFields
        {
            Name = ProfileRules.Clean(overrides.Name) ?? profile.Name,
            Mode = profile.Mode,
            Region = profile.Region,
            Endpoint = endpoint,
            Services = ProfileRules.Clean(overrides.Services) ?? profile.Services,
            BindAddress = ProfileRules.Clean(overrides.BindAddress) ?? profile.BindAddress,
            CaPath = caPath,
            SkipTlsVerify = profile.SkipTlsVerify,
            HttpsProxy = httpsProxy,
            DestinationClientType = profile.DestinationClientType,
            Settings = settings,
        };

        // Problems already named above are not repeated in the validator's words.
        var named = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(StartTunnelSpecs.Validate(fields, accessToken, clientToken, out var spec)
            .Where(e => !named.Contains(e.Field) && !(profile.UseBuiltInRelay && endpoint is null && e.Field == "endpoint")));
        return errors.Count == 0 ? new ProfileSpecResult(spec, []) : new ProfileSpecResult(null, errors);
    }

    private string? Token(string? given, string? stored, string field, string what, List<SpecError> errors)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        if (stored is null)
        {
            return null;
        }

        if (secrets.TryUnprotect(stored, out var token))
        {
            return token;
        }

        string remedy = field == "httpsProxy" ? "store it again in the profile" : $"give {field} when starting, or store it again";
        errors.Add(new SpecError(field, $"The profile's stored {what} cannot be decrypted (the data-protection keys in <data>/keys changed); {remedy}."));
        return null;
    }
}
