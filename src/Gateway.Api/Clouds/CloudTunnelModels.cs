namespace Gateway.Api.Clouds;

/// <summary>A call's value, or why the call failed.</summary>
internal readonly record struct CloudResult<T>(T? Value, CloudError? Error)
{
    public static implicit operator CloudResult<T>(CloudError error) => new(default, error);
}

/// <summary>What OpenTunnel asks for.</summary>
/// <param name="Services">The destination's services (<c>destinationConfig.services</c>).</param>
/// <param name="ThingName">The device AWS notifies (<c>destinationConfig.thingName</c>).</param>
/// <param name="Description">The tunnel's description.</param>
/// <param name="LifetimeMinutes">maxLifetimeTimeoutMinutes; null: the cloud's default (720).</param>
/// <param name="Tags">The tunnel's tags.</param>
internal sealed record OpenTunnelRequest(IReadOnlyList<string> Services, string? ThingName, string? Description, int? LifetimeMinutes, IReadOnlyDictionary<string, string>? Tags);

/// <summary>OpenTunnel's answer; the tokens are single-use secrets.</summary>
internal sealed record OpenedTunnel(string TunnelId, string TunnelArn, string SourceAccessToken, string DestinationAccessToken);

/// <summary>RotateTunnelAccessToken's answer: only the rotated ends' tokens.</summary>
internal sealed record RotatedTokens(string? TunnelArn, string? SourceAccessToken, string? DestinationAccessToken);

/// <summary>One entry of ListTunnels.</summary>
internal sealed record CloudTunnelSummary(string TunnelId, string? TunnelArn, string? Status, string? Description, DateTimeOffset? CreatedAt, DateTimeOffset? LastUpdatedAt);

/// <summary>A tunnel as DescribeTunnel tells it (no token).</summary>
internal sealed record CloudTunnel(
    string TunnelId,
    string? TunnelArn,
    string? Status,
    string? Description,
    string? ThingName,
    IReadOnlyList<string> Services,
    string? SourceConnectionState,
    string? DestinationConnectionState,
    int? LifetimeMinutes,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastUpdatedAt,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>When the tunnel expires: created plus its lifetime (720 minutes when not given).</summary>
    public DateTimeOffset? ExpiresAt => CreatedAt?.AddMinutes(LifetimeMinutes ?? 720);
}

/// <summary>One page of ListTunnels.</summary>
internal sealed record CloudTunnelPage(IReadOnlyList<CloudTunnelSummary> Tunnels, string? NextToken);
