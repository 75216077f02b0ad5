using System.Text.Json;
using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using static Gateway.Api.Profiles.ReferenceConfigFile;

namespace Gateway.Api.Profiles;

/// <summary>
/// A reference <c>--config</c> file plus its <c>--config-dir</c> as one profile (<c>POST /api/profiles/import-config</c>).
/// The reference's rules apply: exactly one of region and proxy-endpoint; source-listen-port and
/// destination-app exclude each other; one of them or mode is required and mode must agree. Without a
/// map in the file, the config directory's <c>SERVICE_ID = ENDPOINT</c> lines are the service map.
/// </summary>
internal static class ReferenceConfigImport
{
    /// <summary>
    /// The profile body the files describe, or null with every error (fields <c>name</c>, <c>config</c>,
    /// <c>configDir</c>, <c>settingsJson</c>, <c>accessToken</c>); <paramref name="warnings"/> gets what was left out.
    /// </summary>
    public static ProfileBody? ToProfileBody(ImportConfigBody body, List<SpecError> errors, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(body);
        int before = errors.Count;
        if (body.Config is null)
        {
            errors.Add(new SpecError(Field, "config is required: the text of a localproxy --config file (name = value lines)."));
            return null;
        }

        var ignored = new List<string>();
        var options = Read(body.Config, errors, ignored);
        var settings = SettingsOf(body.SettingsJson, errors);
        if (options is null)
        {
            return null;
        }

        if (ignored.Count > 0)
        {
            warnings.Add($"Ignored {string.Join(", ", ignored)}: a profile does not hold a process's log level or files on the machine that ran it"
                + (body.SettingsJson is null ? "; give the settings file's text as settingsJson to import it." : "."));
        }

        string? sourceMap = options.GetValueOrDefault(SourceListenPort);
        string? destinationMap = options.GetValueOrDefault(DestinationApp);
        var mode = ModeOf(options, sourceMap, destinationMap, errors);
        if (options.ContainsKey(Region) == options.ContainsKey(ProxyEndpoint))
        {
            errors.Add(new SpecError(Field, $"Give exactly one of {Region} and {ProxyEndpoint}."));
        }

        string? services = sourceMap ?? destinationMap;
        if (body.ConfigDir is { } directory)
        {
            if (services is not null)
            {
                errors.Add(new SpecError(ReferenceConfigDirectory.Field, $"The config maps services itself ({(sourceMap is not null ? SourceListenPort : DestinationApp)}); a config directory is only used when it does not. Leave configDir out."));
            }
            else
            {
                var entries = ReferenceConfigDirectory.Read(directory, mode, errors);
                if (entries.Count == 0 && errors.Count == before)
                {
                    errors.Add(new SpecError(ReferenceConfigDirectory.Field, "No file in the config directory defines a service (lines SERVICE_ID = ENDPOINT)."));
                }

                services = string.Join(",", entries);
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new ProfileBody
        {
            Name = body.Name,
            Mode = (mode ?? SessionMode.Destination).Name(),
            Region = options.GetValueOrDefault(Region),
            Endpoint = options.GetValueOrDefault(ProxyEndpoint),
            UseBuiltInRelay = false,
            Services = services,
            BindAddress = options.GetValueOrDefault(LocalBindAddress),
            CaPath = options.GetValueOrDefault(CaPath),
            SkipTlsVerify = options.GetValueOrDefault(NoSslHostVerify) == "true",
            DestinationClientType = options.GetValueOrDefault(DestinationClientType),
            Settings = settings,
            Autostart = false,
            AccessToken = string.IsNullOrEmpty(body.AccessToken) ? options.GetValueOrDefault(AccessToken) : body.AccessToken,
            ClientToken = options.GetValueOrDefault(ClientToken),
        };
    }

    /// <summary>
    /// Renames the errors of the profile rules to what the caller wrote: the config's option names
    /// (under <c>config</c>), or <c>configDir</c> for a map that came from there.
    /// </summary>
    public static IEnumerable<SpecError> InCallerTerms(IEnumerable<SpecError> errors, ImportConfigBody body)
    {
        bool tokenInBody = !string.IsNullOrEmpty(body.AccessToken);
        bool mapFromDirectory = body.ConfigDir is not null;
        foreach (var error in errors)
        {
            string? option = error.Field switch
            {
                "region" => Region,
                "endpoint" => ProxyEndpoint,
                "accessToken" when !tokenInBody => AccessToken,
                "clientToken" => ClientToken,
                "services" when mapFromDirectory => null,
                "services" => $"{SourceListenPort} / {DestinationApp}",
                "bindAddress" => LocalBindAddress,
                "caPath" => CaPath,
                "destinationClientType" => DestinationClientType,
                "mode" => ReferenceConfigFile.Mode,
                _ => null,
            };
            if (InSettingsFileTerms(error) is { } renamed)
            {
                yield return renamed;
                continue;
            }

            if (option is not null)
            {
                yield return new SpecError(Field, $"{option}: {error.Message}");
            }
            else if (error.Field == "services")
            {
                yield return new SpecError(ReferenceConfigDirectory.Field, error.Message);
            }
            else
            {
                yield return error;
            }
        }
    }

    public const string SettingsJsonField = "settingsJson";

    /// <summary>An error of the profile's settings (<c>settings</c>, <c>settings.…</c>) named after the settings file's field, or null.</summary>
    public static SpecError? InSettingsFileTerms(SpecError error) =>
        error.Field == "settings" || error.Field.StartsWith("settings.", StringComparison.Ordinal)
            ? error with { Field = SettingsJsonField + error.Field["settings".Length..] }
            : null;

    /// <summary>The text of a --settings-json file as the profile's settings (checked by the profile rules), or null.</summary>
    public static JsonElement? SettingsOf(string? text, List<SpecError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > ProfileRules.MaxSettingsLength)
        {
            errors.Add(new SpecError(SettingsJsonField, $"The settings file is {text.Length} characters; at most {ProfileRules.MaxSettingsLength} are allowed."));
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            // The parser's position, not the text: a settings file holds no secrets, but a pasted one might.
            errors.Add(new SpecError(SettingsJsonField, $"The settings file is not JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): give the text of a localproxy --settings-json file."));
            return null;
        }
    }

    private static SessionMode? ModeOf(Dictionary<string, string> options, string? sourceMap, string? destinationMap, List<SpecError> errors)
    {
        if (sourceMap is not null && destinationMap is not null)
        {
            errors.Add(new SpecError(Field, $"{SourceListenPort} and {DestinationApp} exclude each other: a profile is one tunnel end."));
            return null;
        }

        SessionMode? fromMap = sourceMap is not null ? SessionMode.Source : destinationMap is not null ? SessionMode.Destination : null;
        if (!options.TryGetValue(ReferenceConfigFile.Mode, out var text))
        {
            if (fromMap is null)
            {
                errors.Add(new SpecError(Field, $"One of {SourceListenPort}, {DestinationApp} and {ReferenceConfigFile.Mode} is required."));
            }

            return fromMap;
        }

        var mode = StartTunnelSpecs.ParseMode(text);
        if (mode is null)
        {
            errors.Add(new SpecError(Field, $"{ReferenceConfigFile.Mode} must be src, source, dst or destination."));
            return null;
        }

        if (fromMap is not null && fromMap != mode)
        {
            errors.Add(new SpecError(Field, $"{ReferenceConfigFile.Mode} {text} disagrees with {(fromMap == SessionMode.Source ? SourceListenPort : DestinationApp)}."));
            return null;
        }

        return mode;
    }
}
