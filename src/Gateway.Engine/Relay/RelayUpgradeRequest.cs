namespace Gateway.Engine.Relay;

/// <summary>
/// The parts of an HTTP upgrade request the relay judges, lifted out of the web host so the
/// engine stays free of ASP.NET Core. Multi-valued fields hold one entry per occurrence.
/// </summary>
public sealed record RelayUpgradeRequest
{
    public bool IsWebSocketUpgrade { get; init; } = true;
    public IReadOnlyList<string> ModeValues { get; init; } = [];
    public IReadOnlyList<string> AccessTokenHeaders { get; init; } = [];
    public IReadOnlyList<string> AccessTokenCookies { get; init; } = [];
    public IReadOnlyList<string> ClientTokenHeaders { get; init; } = [];
    public IReadOnlyList<string> OfferedSubprotocols { get; init; } = [];

    /// <summary>Size in bytes of the request line and headers as received.</summary>
    public int RequestBytes { get; init; }

    public string? RemoteAddress { get; init; }
}
