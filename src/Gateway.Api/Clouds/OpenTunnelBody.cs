namespace Gateway.Api.Clouds;

/// <summary>
/// <c>open</c> of <c>POST /api/tunnels</c>: open a tunnel on a cloud and run its source end here.
/// </summary>
/// <param name="Cloud">The cloud's name (<c>local</c>: this gateway's relay).</param>
/// <param name="ThingName">The device to notify (destinationConfig.thingName): AWS publishes the destination token to its MQTT topic.</param>
/// <param name="Services">The tunnel's services (destinationConfig.services), e.g. ["SSH","WEB"]; the body's services give their local ports.</param>
/// <param name="Description">The tunnel's description.</param>
/// <param name="LifetimeMinutes">1 to 720 (default 720): the tunnel closes after it.</param>
/// <param name="Tags">The tunnel's tags.</param>
/// <param name="CloseOnStop">Stopping the session closes the tunnel (default true).</param>
public sealed record OpenTunnelBody(
    string? Cloud,
    string? ThingName,
    string[]? Services,
    string? Description,
    int? LifetimeMinutes,
    Dictionary<string, string>? Tags,
    bool? CloseOnStop);

/// <summary><c>destination</c> of <c>POST /api/tunnels</c> with <c>open</c>: also run the destination end here.</summary>
/// <param name="Services">The local services, e.g. SSH=10.0.0.5:22,WEB=10.0.0.5:80, one per tunnel service.</param>
/// <param name="BindAddress">Local address outgoing connections bind to.</param>
public sealed record DestinationEndBody(string? Services, string? BindAddress);

/// <summary>Body of <c>POST /api/clouds/{name}/tunnels/{id}/connect</c>: run the source end of an existing tunnel here.</summary>
/// <param name="Name">The session's name (default: thing and services).</param>
/// <param name="Services">Local listen ports per service, e.g. SSH=2222 (a bare port when the tunnel has one service).</param>
/// <param name="BindAddress">Listen address (default localhost).</param>
/// <param name="CloseOnStop">Stopping the session closes the tunnel (default false: someone else opened it).</param>
internal sealed record ConnectCloudTunnelBody(string? Name, string? Services, string? BindAddress, bool? CloseOnStop);

/// <summary>Body of <c>POST /api/clouds/{name}/tunnels/{id}/rotate</c>.</summary>
/// <param name="ClientMode">SOURCE, DESTINATION or ALL.</param>
internal sealed record RotateCloudTunnelBody(string? ClientMode);

/// <summary>The tunnel a <c>POST /api/tunnels</c> with <c>open</c> opened.</summary>
/// <param name="Cloud">The cloud's name.</param>
/// <param name="TunnelId">The tunnel's id.</param>
/// <param name="TunnelArn">The tunnel's ARN.</param>
/// <param name="ThingName">The thing AWS notified, if any.</param>
/// <param name="Services">The tunnel's services.</param>
/// <param name="CloseOnStop">Stopping the source session closes the tunnel.</param>
/// <param name="DestinationAccessToken">Shown once, for a device that is not notified; absent when the destination end runs here.</param>
internal sealed record OpenedTunnelInfo(
    string Cloud,
    string TunnelId,
    string TunnelArn,
    string? ThingName,
    IReadOnlyList<string> Services,
    string? DestinationAccessToken,
    bool CloseOnStop);

/// <summary>The answer of <c>POST /api/tunnels</c> with <c>open</c>: the source session, the tunnel, and the destination session when it runs here.</summary>
internal sealed record OpenedSessionResponse(Engine.Sessions.SessionSnapshot Session, OpenedTunnelInfo Tunnel, Engine.Sessions.SessionSnapshot? DestinationSession);

/// <summary>One tunnel of a cloud as <c>GET /api/clouds/{name}/tunnels</c> lists it, with the session attached here if any.</summary>
internal sealed record CloudTunnelResponse(
    string TunnelId,
    string? TunnelArn,
    string? Status,
    string? Description,
    string? ThingName,
    IReadOnlyList<string> Services,
    string? SourceConnectionState,
    string? DestinationConnectionState,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastUpdatedAt,
    DateTimeOffset? ExpiresAt,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> SessionIds);

/// <summary>A page of a cloud's tunnels.</summary>
internal sealed record CloudTunnelListResponse(IReadOnlyList<CloudTunnelResponse> Tunnels, string? NextToken);

/// <summary>The tokens of a rotation, shown once.</summary>
internal sealed record RotatedTokensResponse(string TunnelId, string? TunnelArn, string? SourceAccessToken, string? DestinationAccessToken);

/// <summary>Body of <c>POST /api/tunnels/{id}/token</c>: start an ended session again with a new token.</summary>
/// <param name="AccessToken">A fresh access token for the session's end (never echoed).</param>
/// <param name="Rotate">Instead, rotate the end's token on the cloud its tunnel is on.</param>
public sealed record NewTokenBody(string? AccessToken, bool? Rotate);
