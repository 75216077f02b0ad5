using Gateway.Engine.Sessions;

namespace Gateway.Engine.Settings;

/// <summary>The outcome of <see cref="ProxySettingsJson.Import"/>: the settings, or null and every error found.</summary>
/// <param name="Settings">The imported settings over the base ones; null when the JSON has errors.</param>
/// <param name="Errors">Every error found, each naming its key (<c>settings.*</c>); empty on success.</param>
public sealed record ProxySettingsImportResult(ProxySettings? Settings, IReadOnlyList<SpecError> Errors)
{
    /// <summary>True when the JSON was imported without errors (<see cref="Settings"/> is set).</summary>
    public bool IsValid => Settings is not null && Errors.Count == 0;
}
