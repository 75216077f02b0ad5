using Gateway.Api.Auth;
using Gateway.Engine.Relay;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Relay;

/// <summary>
/// <c>/api/relay/tunnels</c>: tunnels of the built-in relay. Creating one is the only time its
/// access tokens are shown; every other answer carries no token.
/// </summary>
internal static class RelayTunnelsApi
{
    public static RouteGroupBuilder MapRelayTunnelsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/relay/tunnels").WithTags("Relay tunnels");

        group.MapPost("/", CreateAsync)
            .WithName("CreateRelayTunnel")
            .WithSummary("Open a tunnel on the built-in relay")
            .WithDescription("Returns the tunnel id and its two single-use access tokens (source and destination). The tokens are shown only in this response.")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("/", List)
            .WithName("ListRelayTunnels")
            .WithSummary("List relay tunnels, newest first")
            .WithDescription("State (Open, Closed, Expired), each end's connection and bytes relayed each way. No token, no hash.");

        group.MapGet("/{id}", Get)
            .WithName("GetRelayTunnel")
            .WithSummary("One relay tunnel: state, connected ends, bytes relayed")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id}/rotate", RotateAsync)
            .WithName("RotateRelayTunnelTokens")
            .WithSummary("Issue new access tokens for one or both ends")
            .WithDescription("The old tokens stop working at once; a connection that used one is closed (1008) and must reconnect with the new token. The lifetime is not extended.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapDelete("/{id}", CloseAsync)
            .WithName("CloseRelayTunnel")
            .WithSummary("Close a relay tunnel: both ends get a close frame and its tokens stop working")
            .WithDescription("Both ends get a WebSocket close frame (1000, \"Tunnel closed\"). Answers the tunnel's final snapshot.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    /// <param name="body">Services, lifetime and description; every field is optional.</param>
    /// <param name="relay">The relay.</param>
    /// <param name="context">The request.</param>
    /// <param name="pairing">Starts both ends here when the body asks to connect.</param>
    private static async Task<Results<Created<CreatedRelayTunnelResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateRelayTunnelBody? body, TunnelRelay relay, RelayPairing pairing, HttpContext context)
    {
        if (body is null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = ["A JSON body is required, e.g. {\"services\":[\"SSH\"]}."] });
        }

        var services = body.Services;
        if (body.Connect is { } connect)
        {
            var connectErrors = new Dictionary<string, string[]>();
            var ids = RelayPairing.Validate(connect, services, connectErrors);
            if (ids is null)
            {
                return TypedResults.ValidationProblem(connectErrors);
            }

            // No services (absent or empty) means the destinations' ids.
            services = services is { Count: > 0 } ? services : [.. ids];
        }

        var request = new CreateTunnelRequest(services, body.LifetimeMinutes, body.Description)
        {
            ThingName = body.ThingName,
            Tags = body.Tags?.Select(t => new TunnelTag(t?.Key ?? string.Empty, t?.Value ?? string.Empty)).ToList(),
        };
        var result = await relay.CreateAsync(request, context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Errors.Count == 0 && result.LimitExceeded is { } limit
                ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Limit exceeded", detail: limit)
                : TypedResults.ValidationProblem(result.Errors);
        }

        var created = result.Created!;
        context.Items[AuditTarget.ItemKey] = created.Tunnel.Id;
        ConnectedSessions? connected = null;
        if (body.Connect is not null)
        {
            var (sessions, errors, isConflict) = await pairing.ConnectAsync(created, body.Connect, context.User.Identity?.Name, context.RequestAborted);
            if (sessions is null)
            {
                return isConflict
                    ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: string.Join(" ", errors.Select(e => e.Message)))
                    : TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
            }

            connected = sessions;
        }

        var response = new CreatedRelayTunnelResponse(
            created.Tunnel.Id,
            created.SourceAccessToken,
            created.DestinationAccessToken,
            created.Tunnel.Services,
            created.Tunnel.Description,
            created.Tunnel.CreatedAt,
            created.Tunnel.ExpiresAt,
            connected);
        return TypedResults.Created($"/api/relay/tunnels/{created.Tunnel.Id}", response);
    }

    private static Ok<IReadOnlyList<RelayTunnelSnapshot>> List(TunnelRelay relay) => TypedResults.Ok(relay.List());

    /// <param name="id">The tunnel's id (tunnelId).</param>
    /// <param name="relay">The relay.</param>
    private static Results<Ok<RelayTunnelSnapshot>, ProblemHttpResult> Get(string id, TunnelRelay relay) =>
        relay.Get(id) is { } tunnel ? TypedResults.Ok(tunnel) : NotFound(id);

    /// <param name="id">The tunnel's id (tunnelId).</param>
    /// <param name="relay">The relay.</param>
    /// <param name="context">The request.</param>
    private static async Task<Results<Ok<RelayTunnelSnapshot>, ProblemHttpResult>> CloseAsync(string id, TunnelRelay relay, HttpContext context) =>
        await relay.CloseAsync(id, context.RequestAborted) is { } tunnel ? TypedResults.Ok(tunnel) : NotFound(id);

    /// <param name="id">The tunnel's id (tunnelId).</param>
    /// <param name="body">Which ends to rotate.</param>
    /// <param name="relay">The relay.</param>
    /// <param name="context">The request.</param>
    private static async Task<Results<Ok<RotatedRelayTokensResponse>, ValidationProblem, ProblemHttpResult>> RotateAsync(
        string id, RotateRelayTokensBody? body, TunnelRelay relay, HttpContext context)
    {
        TokenRotation? rotation = body?.Ends?.ToUpperInvariant() switch
        {
            "SOURCE" => TokenRotation.Source,
            "DESTINATION" => TokenRotation.Destination,
            "ALL" => TokenRotation.All,
            _ => null,
        };
        if (rotation is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ends"] = ["Give \"source\", \"destination\" or \"all\"."] });
        }

        context.Items[AuditTarget.ItemKey] = id;
        var (status, tokens) = await relay.RotateAsync(id, rotation.Value, context.RequestAborted);
        return status switch
        {
            TunnelChangeStatus.Done => TypedResults.Ok(new RotatedRelayTokensResponse(id, tokens!.SourceAccessToken, tokens.DestinationAccessToken)),
            TunnelChangeStatus.Ended => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tunnel ended", detail: $"Relay tunnel '{id}' is closed or expired; its tokens can no longer change."),
            _ => NotFound(id),
        };
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Relay tunnel not found", detail: $"No relay tunnel has id '{id}'.");
}
