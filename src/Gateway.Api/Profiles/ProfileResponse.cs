using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Api.Profiles;

/// <summary>A profile as the API shows it: every field but the tokens and the web proxy password, of which only their presence.</summary>
/// <param name="Id">The profile's id.</param>
/// <param name="Name">Unique name.</param>
/// <param name="Mode">source or destination.</param>
/// <param name="Region">AWS region, or null.</param>
/// <param name="Endpoint">Explicit endpoint, or null.</param>
/// <param name="UseBuiltInRelay">Whether sessions connect to this gateway's own relay.</param>
/// <param name="Services">The service map.</param>
/// <param name="BindAddress">Listen (source) or outgoing (destination) address.</param>
/// <param name="CaPath">Extra CA directory.</param>
/// <param name="SkipTlsVerify">Certificate checks off.</param>
/// <param name="HttpsProxy">Web proxy URL, without its password.</param>
/// <param name="DestinationClientType">V1, V2, V3 or null (V3).</param>
/// <param name="Settings">Settings overrides in the reference's JSON format, or null.</param>
/// <param name="Tags">Labels.</param>
/// <param name="Autostart">Started when the gateway starts.</param>
/// <param name="HasAccessToken">An access token is stored (encrypted).</param>
/// <param name="HasClientToken">A client token is stored (encrypted).</param>
/// <param name="HasProxyPassword">A web proxy password is stored (encrypted).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="CreatedBy">Who created it.</param>
public sealed record ProfileResponse(
    string Id,
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
    JsonElement? Settings,
    IReadOnlyList<string> Tags,
    bool Autostart,
    bool HasAccessToken,
    bool HasClientToken,
    bool HasProxyPassword,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? CreatedBy)
{
    /// <summary>Only in the answer of an import: what the imported files held that the profile does not (absent otherwise).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }
}
