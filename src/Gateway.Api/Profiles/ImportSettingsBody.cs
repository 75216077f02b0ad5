namespace Gateway.Api.Profiles;

/// <summary>Body of <c>PUT /api/profiles/{id}/settings</c>.</summary>
/// <param name="SettingsJson">The text of a localproxy --settings-json file (the reference's settings JSON).</param>
public sealed record ImportSettingsBody(string? SettingsJson);
