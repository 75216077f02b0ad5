namespace Gateway.Api.Relay;

/// <summary>Answer to <c>POST /api/relay/tunnels</c>: the only response that ever holds tokens.</summary>
/// <param name="TunnelId">The tunnel's id, for GET and DELETE /api/relay/tunnels/{id}.</param>
/// <param name="SourceAccessToken">Single-use access token of the source end (shown only here).</param>
/// <param name="DestinationAccessToken">Single-use access token of the destination end (shown only here).</param>
/// <param name="Services">The tunnel's service ids, sent to both ends in SERVICE_IDS.</param>
/// <param name="Description">The description given at creation.</param>
/// <param name="CreatedAt">When the tunnel was opened.</param>
/// <param name="ExpiresAt">When the tunnel expires; both ends then get a close frame.</param>
/// <param name="Sessions">With <c>connect</c>: the sessions running both ends here and the source's ports.</param>
public sealed record CreatedRelayTunnelResponse(
    string TunnelId,
    string SourceAccessToken,
    string DestinationAccessToken,
    IReadOnlyList<string> Services,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    ConnectedSessions? Sessions = null);
