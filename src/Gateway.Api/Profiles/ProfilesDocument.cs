namespace Gateway.Api.Profiles;

/// <summary>
/// <c>GET /api/profiles/export</c> answers it, <c>POST /api/profiles/import</c> takes it:
/// <c>{ "format": "tunnelgateway-profiles", "version": 1, "profiles": [...] }</c>. It never holds a token.
/// </summary>
/// <param name="Format">Always tunnelgateway-profiles.</param>
/// <param name="Version">Always 1.</param>
/// <param name="Profiles">The profiles, by name.</param>
public sealed record ProfilesDocument(string? Format, int? Version, IReadOnlyList<ProfileExportItem>? Profiles)
{
    public const string FormatName = "tunnelgateway-profiles";

    public const int CurrentVersion = 1;
}
