namespace Gateway.Api.Profiles;

/// <summary>
/// Body of <c>POST /api/profiles/import-config</c>: a reference <c>localproxy --config</c> file and,
/// optionally, its <c>--config-dir</c>, imported as one profile.
/// </summary>
/// <param name="Name">The new profile's name (unique, 1-200 characters). Required.</param>
/// <param name="Config">The --config file's text: name = value lines with long option names (region, proxy-endpoint, access-token, client-token, source-listen-port, destination-app, local-bind-address, capath, no-ssl-host-verify, mode, destination-client-type). verbose, settings-json and config-dir lines are skipped and listed in the answer's warnings.</param>
/// <param name="ConfigDir">The --config-dir files: relative file name to INI text of SERVICE_ID = ENDPOINT lines. Used when the config has no source-listen-port or destination-app.</param>
/// <param name="AccessToken">An access token; takes precedence over the config's access-token. Stored encrypted.</param>
/// <param name="SettingsJson">Optional: the text of a localproxy --settings-json file (the reference's settings JSON), kept as the profile's settings.</param>
public sealed record ImportConfigBody(string? Name, string? Config, IReadOnlyDictionary<string, string>? ConfigDir, string? AccessToken, string? SettingsJson = null);
