namespace Gateway.Api.Data;

/// <summary>
/// A saved session spec. Tokens and the web proxy password are stored encrypted with ASP.NET Core Data Protection (keys in the
/// data directory) and never leave the API.
/// </summary>
public sealed class ProfileEntity
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary><c>source</c> or <c>destination</c>.</summary>
    public string Mode { get; set; } = string.Empty;

    public string? Region { get; set; }

    public string? Endpoint { get; set; }

    /// <summary>Connect to this gateway's own relay (endpoint and CA filled in at start).</summary>
    public bool UseBuiltInRelay { get; set; }

    public string? Services { get; set; }

    public string? BindAddress { get; set; }

    public string? CaPath { get; set; }

    public bool SkipTlsVerify { get; set; }

    /// <summary>The web proxy address without its password (that is <see cref="ProtectedProxyPassword"/>).</summary>
    public string? HttpsProxy { get; set; }

    public string? DestinationClientType { get; set; }

    /// <summary>Settings overrides in the reference's JSON format, or null.</summary>
    public string? SettingsJson { get; set; }

    /// <summary>JSON array of strings.</summary>
    public string TagsJson { get; set; } = "[]";

    public bool Autostart { get; set; }

    public string? ProtectedAccessToken { get; set; }

    public string? ProtectedClientToken { get; set; }

    /// <summary>The web proxy password (as written in the address, percent-encoded), encrypted.</summary>
    public string? ProtectedProxyPassword { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? CreatedBy { get; set; }
}
