namespace Gateway.Engine.Relay;

/// <summary>
/// The parts of an HTTP upgrade request the relay judges, lifted out of the web host so the
/// engine stays free of ASP.NET Core. Multi-valued fields hold one entry per occurrence.
/// </summary>
public sealed record RelayUpgradeRequest
{
    /// <summary>True when the request asks for a WebSocket upgrade (GET with <c>Upgrade: websocket</c>); true unless set.</summary>
    public bool IsWebSocketUpgrade { get; init; } = true;

    /// <summary>Every value of the <c>local-proxy-mode</c> query parameter; exactly one is accepted.</summary>
    public IReadOnlyList<string> ModeValues { get; init; } = [];

    /// <summary>Every <c>access-token</c> header value.</summary>
    public IReadOnlyList<string> AccessTokenHeaders { get; init; } = [];

    /// <summary>Every <c>awsiot-tunnel-token</c> cookie value; with the headers, exactly one token is accepted.</summary>
    public IReadOnlyList<string> AccessTokenCookies { get; init; } = [];

    /// <summary>Every <c>client-token</c> header value; none or one is accepted.</summary>
    public IReadOnlyList<string> ClientTokenHeaders { get; init; } = [];

    /// <summary>The subprotocols of <c>Sec-WebSocket-Protocol</c>, in the client's order.</summary>
    public IReadOnlyList<string> OfferedSubprotocols { get; init; } = [];

    /// <summary>Size in bytes of the request line and headers as received.</summary>
    public int RequestBytes { get; init; }

    /// <summary>The client's address as <c>ip:port</c>, for the log and for limiting logged refusals per address; null when unknown.</summary>
    public string? RemoteAddress { get; init; }
}
