namespace Gateway.Engine.Relay;

/// <summary>A handshake the relay accepted: which tunnel end the socket will be.</summary>
internal sealed record RelayAdmission(RelayTunnel Tunnel, TunnelEnd End, string Subprotocol, string ChannelId, string? RemoteAddress, string TokenHash)
{
    /// <summary>This handshake was the first use of the token.</summary>
    public bool Burned { get; init; }
}
