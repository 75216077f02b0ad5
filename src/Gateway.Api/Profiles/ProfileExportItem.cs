namespace Gateway.Api.Profiles;

/// <summary>
/// One profile in an export document: its <see cref="ProfileFields"/>, without id, timestamps, tokens
/// or web proxy password. A caPath must exist on the importing gateway's host; useBuiltInRelay means
/// the importing gateway's own relay.
/// </summary>
public sealed record ProfileExportItem : ProfileFields
{
    /// <summary>The body that creates this profile (no tokens: an export carries none).</summary>
    internal ProfileBody ToBody() => new()
    {
        Name = Name, Mode = Mode, Region = Region, Endpoint = Endpoint, UseBuiltInRelay = UseBuiltInRelay, Services = Services,
        BindAddress = BindAddress, CaPath = CaPath, SkipTlsVerify = SkipTlsVerify, HttpsProxy = HttpsProxy,
        DestinationClientType = DestinationClientType, Settings = Settings, Tags = Tags, Autostart = Autostart,
    };
}
