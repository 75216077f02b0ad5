using System.Text.Json;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Sessions;

/// <summary>
/// The rules of the <see cref="SessionFields"/> as functions: the fields and tokens to a
/// <see cref="SessionSpec"/>, then every error at once (the fields' own and
/// <see cref="SessionSpecValidator"/>'s), each named by its body field. <c>POST /api/tunnels</c>,
/// profiles (saved and started) and clouds all come through here, so each accepts exactly what the
/// others accept.
/// </summary>
internal static class StartTunnelSpecs
{
    /// <summary>The fields' mode, message format and settings parsed; their errors go to <paramref name="errors"/>.</summary>
    public static SessionSpec ToSpec(SessionFields body, string? accessToken, string? clientToken, List<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(errors);
        var mode = ParseMode(body.Mode);
        if (mode is null)
        {
            errors.Add(new SpecError("mode", "mode is required: source (src) or destination (dst)"));
        }

        var format = MessageFormat.V3;
        if (body.DestinationClientType is { Length: > 0 } type)
        {
            // Names only: an enum parse would also take "1" (V2), "2" (V1) and "V1,V2".
            if (MessageFormats.Parse(type.Trim()) is { } named)
            {
                format = named;
            }
            else
            {
                errors.Add(new SpecError("destinationClientType", "destinationClientType must be V1, V2 or V3"));
            }
        }

        var settings = ProxySettings.Default;
        if (body.Settings is { } json && json.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            var imported = ProxySettingsJson.Import(json.GetRawText());
            if (imported.Settings is null)
            {
                errors.AddRange(imported.Errors);
            }
            else
            {
                settings = imported.Settings;
            }
        }

        return new SessionSpec
        {
            Name = body.Name,
            Mode = mode ?? default,
            Region = body.Region,
            Endpoint = body.Endpoint,
            AccessToken = accessToken ?? string.Empty,
            ClientToken = clientToken,
            Services = body.Services,
            BindAddress = body.BindAddress,
            CaPath = body.CaPath,
            SkipTlsVerify = body.SkipTlsVerify ?? false,
            HttpsProxy = body.HttpsProxy,
            MessageFormat = format,
            Settings = settings,
        };
    }

    /// <summary>
    /// <see cref="ToSpec"/> plus <see cref="SessionSpecValidator"/>: every error at once, named by body
    /// field (<c>messageFormat</c> becomes <c>destinationClientType</c>). Services are judged by mode, so
    /// their errors are left out while the mode is unusable.
    /// </summary>
    public static IReadOnlyList<SpecError> Validate(SessionFields body, string? accessToken, string? clientToken, out SessionSpec spec)
    {
        var errors = new List<SpecError>();
        spec = ToSpec(body, accessToken, clientToken, errors);
        bool modeKnown = errors.TrueForAll(e => e.Field != "mode");
        errors.AddRange(SessionSpecValidator.Validate(spec).Errors.Where(e => modeKnown || e.Field != "services"));
        return errors.Select(e => e.Field == "messageFormat" ? e with { Field = "destinationClientType" } : e).ToList();
    }

    /// <summary><see cref="Validate(SessionFields, string?, string?, out SessionSpec)"/> of a <c>POST /api/tunnels</c> body with its tokens.</summary>
    public static IReadOnlyList<SpecError> Validate(StartTunnelBody body, out SessionSpec spec) =>
        Validate(body, body.AccessToken, body.ClientToken, out spec);

    /// <summary><c>source</c>/<c>src</c> or <c>destination</c>/<c>dst</c> (any case, trimmed); null otherwise.</summary>
    public static SessionMode? ParseMode(string? mode) => SessionModes.Parse(mode?.Trim());

    /// <summary>The <c>errors</c> of a ValidationProblem: messages grouped by field, in order.</summary>
    public static Dictionary<string, string[]> ToValidationErrors(IEnumerable<SpecError> errors) =>
        errors.GroupBy(e => e.Field == "messageFormat" ? "destinationClientType" : e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
}
