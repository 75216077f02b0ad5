using Gateway.Api.Auth;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Clouds;

/// <summary>
/// <c>/api/clouds/{name}/tunnels</c>: a cloud's tunnels (listing needs viewer; connect, rotate and
/// close need operator). Tokens appear only in a rotation's answer.
/// </summary>
internal static class CloudTunnelsApi
{
    public const int DefaultPageSize = 25;
    private const int DescribeParallelism = 8;

    public static IEndpointRouteBuilder MapCloudTunnelsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/clouds/{name}/tunnels").WithTags("Clouds");
        group.MapGet("/", ListAsync).WithName("ListCloudTunnels")
            .WithSummary("A cloud's tunnels, newest first, each described: status, thing, services, both ends' connection states, created, expiry")
            .Produces<CloudTunnelListResponse>();
        group.MapPost("/{tunnelId}/connect", ConnectAsync).WithName("ConnectCloudTunnel")
            .WithSummary("Run an existing tunnel's source end here: rotates its SOURCE token and starts the session")
            .Produces<SessionSnapshot>(StatusCodes.Status201Created);
        group.MapPost("/{tunnelId}/rotate", RotateAsync).WithName("RotateCloudTunnel")
            .WithSummary("Rotate a tunnel's tokens (SOURCE, DESTINATION or ALL); the answer is the only time they are shown")
            .Produces<RotatedTokensResponse>();
        group.MapDelete("/{tunnelId}", CloseAsync).WithName("CloseCloudTunnel")
            .WithSummary("Close a tunnel on the cloud; sessions on it end")
            .Produces(StatusCodes.Status204NoContent);
        return endpoints;
    }

    /// <param name="name">The cloud's name.</param>
    /// <param name="thingName">Only this thing's tunnels.</param>
    /// <param name="maxResults">1 to 100 (default 25).</param>
    /// <param name="nextToken">The previous page's nextToken.</param>
    /// <param name="clouds">The clouds.</param>
    /// <param name="client">The management API client.</param>
    /// <param name="sessions">The sessions, to show which tunnels have an end here.</param>
    /// <param name="cancellationToken">The request's abort.</param>
    private static async Task<IResult> ListAsync(string name, string? thingName, int? maxResults, string? nextToken, CloudDirectory clouds, CloudApiClient client, SessionManager sessions, CancellationToken cancellationToken)
    {
        if (maxResults is < 1 or > 100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["maxResults"] = ["maxResults is 1 to 100."] });
        }

        var (cloud, error) = await clouds.ResolveAsync(name, cancellationToken);
        if (cloud is null)
        {
            return NoCloud(error!);
        }

        var page = await client.ListAsync(cloud, thingName, maxResults ?? DefaultPageSize, nextToken, cancellationToken);
        if (page.Error is { } listError)
        {
            return CloudSessions.CloudProblem("ListTunnels", name, listError, "nextToken");
        }

        var attached = sessions.List()
            .Where(s => s.Tunnel?.Cloud == name && !s.State.IsFinal())
            .ToLookup(s => s.Tunnel!.TunnelId, s => s.Id, StringComparer.Ordinal);
        var summaries = page.Value!.Tunnels;
        var described = new CloudTunnelResponse[summaries.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, summaries.Count), new ParallelOptions { MaxDegreeOfParallelism = DescribeParallelism, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var summary = summaries[i];
            var detail = await client.DescribeAsync(cloud, summary.TunnelId, token);
            described[i] = detail.Value is { } t
                ? new CloudTunnelResponse(t.TunnelId, t.TunnelArn, t.Status, t.Description, t.ThingName, t.Services, t.SourceConnectionState, t.DestinationConnectionState, t.CreatedAt, t.LastUpdatedAt, t.ExpiresAt, t.Tags, [.. attached[t.TunnelId]])
                : new CloudTunnelResponse(summary.TunnelId, summary.TunnelArn, summary.Status, summary.Description, null, [], null, null, summary.CreatedAt, summary.LastUpdatedAt, null, new Dictionary<string, string>(), [.. attached[summary.TunnelId]]);
        });
        return TypedResults.Ok(new CloudTunnelListResponse(described, page.Value.NextToken));
    }

    private static async Task<IResult> ConnectAsync(string name, string tunnelId, ConnectCloudTunnelBody? body, CloudSessions cloudSessions, HttpContext context)
    {
        context.Items[AuditTarget.ItemKey] = tunnelId;
        return await cloudSessions.ConnectAsync(name, tunnelId, body, context.User.Identity?.Name, context.RequestAborted);
    }

    private static async Task<IResult> RotateAsync(string name, string tunnelId, RotateCloudTunnelBody? body, CloudDirectory clouds, CloudApiClient client, SessionManager sessions, HttpContext context)
    {
        context.Items[AuditTarget.ItemKey] = tunnelId;
        string mode = body?.ClientMode?.Trim().ToUpperInvariant() ?? string.Empty;
        if (mode is not ("SOURCE" or "DESTINATION" or "ALL"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["clientMode"] = ["clientMode is SOURCE, DESTINATION or ALL."] });
        }

        // A session here would take the rotation for a refusal and rotate again: the operator's new token would not work.
        var running = sessions.List().FirstOrDefault(s => s.Tunnel?.Cloud == name && s.Tunnel.TunnelId == tunnelId
            && !s.State.IsFinal()
            && (mode == "ALL" || (mode == "SOURCE") == (s.Mode == SessionMode.Source)));
        if (running is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "An end of this tunnel runs here",
                detail: $"Session {running.Id} runs this tunnel's {running.Mode.Name()} end here; stop it first, or rotate only the other end.");
        }

        var (cloud, error) = await clouds.ResolveAsync(name, context.RequestAborted);
        if (cloud is null)
        {
            return NoCloud(error!);
        }

        var rotated = await client.RotateAsync(cloud, tunnelId, mode, context.RequestAborted);
        return rotated.Error is { } failure
            ? CloudSessions.CloudProblem("RotateTunnelAccessToken", name, failure, "tunnelId")
            : TypedResults.Ok(new RotatedTokensResponse(tunnelId, rotated.Value!.TunnelArn, rotated.Value.SourceAccessToken, rotated.Value.DestinationAccessToken));
    }

    /// <param name="name">The cloud's name.</param>
    /// <param name="tunnelId">The tunnel.</param>
    /// <param name="delete">Delete the tunnel's data at once (CloseTunnel's delete).</param>
    /// <param name="clouds">The clouds.</param>
    /// <param name="client">The management API client.</param>
    /// <param name="context">The request.</param>
    private static async Task<IResult> CloseAsync(string name, string tunnelId, bool? delete, CloudDirectory clouds, CloudApiClient client, HttpContext context)
    {
        context.Items[AuditTarget.ItemKey] = tunnelId;
        var (cloud, error) = await clouds.ResolveAsync(name, context.RequestAborted);
        if (cloud is null)
        {
            return NoCloud(error!);
        }

        var failure = await client.CloseTunnelAsync(cloud, tunnelId, delete ?? false, context.RequestAborted);
        return failure is null ? TypedResults.NoContent() : CloudSessions.CloudProblem("CloseTunnel", name, failure, "tunnelId");
    }

    private static IResult NoCloud(string error) => error.StartsWith("No cloud", StringComparison.Ordinal)
        ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Cloud not found", detail: error)
        : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Cloud not usable", detail: error);
}
