using Gateway.Engine.Sessions;

namespace Gateway.Engine.Settings;

/// <summary>The outcome of <see cref="ProxySettingsJson.Import"/>: the settings, or null and every error found.</summary>
public sealed record ProxySettingsImportResult(ProxySettings? Settings, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Settings is not null && Errors.Count == 0;
}
