using System.Text.Json;
using Gateway.Api.Data;

namespace Gateway.Api.Profiles;

/// <summary>A profile's non-secret fields, validated and normalised (trimmed, blanks as null).</summary>
internal sealed record ProfileValues(
    string Name,
    string Mode,
    string? Region,
    string? Endpoint,
    bool UseBuiltInRelay,
    string? Services,
    string? BindAddress,
    string? CaPath,
    bool SkipTlsVerify,
    string? HttpsProxy,
    string? DestinationClientType,
    string? SettingsJson,
    IReadOnlyList<string> Tags,
    bool Autostart)
{
    /// <summary>Overwrites every non-secret field of <paramref name="entity"/> (a PUT is a full replace).</summary>
    public void ApplyTo(ProfileEntity entity)
    {
        entity.Name = Name;
        entity.Mode = Mode;
        entity.Region = Region;
        entity.Endpoint = Endpoint;
        entity.UseBuiltInRelay = UseBuiltInRelay;
        entity.Services = Services;
        entity.BindAddress = BindAddress;
        entity.CaPath = CaPath;
        entity.SkipTlsVerify = SkipTlsVerify;
        entity.HttpsProxy = HttpsProxy;
        entity.DestinationClientType = DestinationClientType;
        entity.SettingsJson = SettingsJson;
        entity.TagsJson = JsonSerializer.Serialize(Tags);
        entity.Autostart = Autostart;
    }
}
