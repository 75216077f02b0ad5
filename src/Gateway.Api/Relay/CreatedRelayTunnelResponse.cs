namespace Gateway.Api.Relay;

/// <summary>Answer to <c>POST /api/relay/tunnels</c>: the only response that ever holds tokens.</summary>
public sealed record CreatedRelayTunnelResponse(
    string TunnelId,
    string SourceAccessToken,
    string DestinationAccessToken,
    IReadOnlyList<string> Services,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
