using System.Text.Json;

namespace Gateway.Api.Profiles;

/// <summary>One profile in an export document: its fields without id, timestamps, tokens or web proxy password.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Mode">source or destination.</param>
/// <param name="Region">AWS region, or null.</param>
/// <param name="Endpoint">Explicit endpoint, or null.</param>
/// <param name="UseBuiltInRelay">Connect to the importing gateway's own relay.</param>
/// <param name="Services">The service map.</param>
/// <param name="BindAddress">Listen (source) or outgoing (destination) address.</param>
/// <param name="CaPath">Extra CA directory (must exist on the importing gateway's host).</param>
/// <param name="SkipTlsVerify">Certificate checks off.</param>
/// <param name="HttpsProxy">Web proxy URL, without its password (an imported one may have one: it is stored encrypted).</param>
/// <param name="DestinationClientType">V1, V2, V3 or null.</param>
/// <param name="Settings">Settings overrides in the reference's JSON format, or null.</param>
/// <param name="Tags">Labels.</param>
/// <param name="Autostart">Started when the gateway starts.</param>
public sealed record ProfileExportItem(
    string? Name,
    string? Mode,
    string? Region,
    string? Endpoint,
    bool? UseBuiltInRelay,
    string? Services,
    string? BindAddress,
    string? CaPath,
    bool? SkipTlsVerify,
    string? HttpsProxy,
    string? DestinationClientType,
    JsonElement? Settings,
    IReadOnlyList<string>? Tags,
    bool? Autostart);
