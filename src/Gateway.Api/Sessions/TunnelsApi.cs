using Gateway.Api.Auth;
using Gateway.Api.Clouds;
using Gateway.Api.Profiles;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Sessions;

/// <summary>
/// <c>/api/tunnels</c>: local-proxy sessions (tunnel ends) run by this gateway. Answers never
/// carry a token.
/// </summary>
internal static class TunnelsApi
{
    public static RouteGroupBuilder MapTunnelsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/tunnels").WithTags("Tunnels");

        group.MapPost("/", StartAsync)
            .WithName("StartTunnel")
            .WithSummary("Start a local-proxy session (one tunnel end)")
            .WithDescription("Validates the spec (every error names its field) and starts the session. A source session's ports are bound before the answer, so a port in use is a 409. With open, the gateway first opens the tunnel on the cloud (and closes it again if the start fails) and answers {session, tunnel, destinationSession}.")
            .Produces<SessionSnapshot>(StatusCodes.Status201Created)
            .Produces<OpenedSessionResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("/", List)
            .WithName("ListTunnels")
            .WithSummary("List sessions, optionally filtered by state, mode and profile")
            .ProducesValidationProblem();
        group.MapGet("/{id}", Get)
            .WithName("GetTunnel")
            .WithSummary("One session with its services, streams and connections")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/logs", Logs)
            .WithName("GetTunnelLogs")
            .WithSummary("A session's recent log lines")
            .WithDescription("Up to the last 200 lines, oldest first. Lines never contain a token.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", StopAsync)
            .WithName("StopTunnel")
            .WithSummary("Stop a session: close frame to the service, local connections closed")
            .WithDescription("Sends a close frame (1000) to the tunnel service, closes the local connections and answers the session's final snapshot. A session on a tunnel the gateway opened also closes that tunnel (closeTunnel=false keeps it open). The session is not resumed after a restart.")
            .Produces<SessionSnapshot>()
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/token", RestartWithTokenAsync)
            .WithName("RestartTunnelWithToken")
            .WithSummary("Start an ended session again under its id with a new access token, given or rotated on its cloud")
            .WithDescription("For a session that ended Failed because its token was spent or revoked: {\"accessToken\":\"...\"}, or {\"rotate\":true} for a session on a cloud tunnel. The token is never echoed.")
            .Produces<SessionSnapshot>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/ended", ClearEnded)
            .WithName("ClearEndedTunnels")
            .WithSummary("Remove every ended session (Closed, Failed, Stopped) from the list; the history keeps them")
            .WithDescription("Running sessions are not touched. Answers the ids removed.");
        group.MapDelete("/{id}/connections/{connectionKey}", ResetConnection)
            .WithName("ResetTunnelConnection")
            .WithSummary("Reset one connection (key serviceId.connectionId); the peer gets its CONNECTION_RESET")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <param name="body">The session's spec (mode, region or endpoint, access token, services), or a profileId with overrides.</param>
    /// <param name="starter">Starts sessions (port policy, history).</param>
    /// <param name="profiles">The saved profiles.</param>
    /// <param name="specs">Turns a profile into a spec.</param>
    /// <param name="cloudSessions">Opens the tunnel on a cloud first, for a body with open.</param>
    /// <param name="context">The request: its user is recorded.</param>
    private static async Task<IResult> StartAsync(
        StartTunnelBody? body, SessionStarter starter, ProfileStore profiles, ProfileSessionSpecs specs, CloudSessions cloudSessions, HttpContext context)
    {
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["body"] = ["A JSON body is required, e.g. {\"mode\":\"source\",\"endpoint\":\"wss://127.0.0.1:5443\",\"accessToken\":\"...\",\"services\":\"SSH=2222\"}, {\"profileId\":\"...\",\"accessToken\":\"...\"} or {\"open\":{\"cloud\":\"local\",\"services\":[\"SSH\"]},\"services\":\"SSH=2222\"}."],
            });
        }

        if (body.Open is not null)
        {
            var opened = await cloudSessions.OpenAsync(body, context.User.Identity?.Name, context.RequestAborted);
            if (opened is Created<OpenedSessionResponse> created)
            {
                context.Items[AuditTarget.ItemKey] = created.Value!.Tunnel.TunnelId;
            }

            return opened;
        }

        if (body.Destination is not null)
        {
            return Invalid([new SpecError("destination", "destination belongs to open: it starts the destination end of a tunnel opened in the same call.")]);
        }

        SessionSpec spec;
        if (body.ProfileId is { } profileId)
        {
            var notOverridable = new List<SpecError>();
            AddIfSet(notOverridable, "mode", body.Mode);
            AddIfSet(notOverridable, "region", body.Region);
            AddIfSet(notOverridable, "endpoint", body.Endpoint);
            AddIfSet(notOverridable, "caPath", body.CaPath);
            AddIfSet(notOverridable, "httpsProxy", body.HttpsProxy);
            AddIfSet(notOverridable, "destinationClientType", body.DestinationClientType);
            AddIfSet(notOverridable, "skipTlsVerify", body.SkipTlsVerify?.ToString());
            AddIfSet(notOverridable, "settings", body.Settings is { ValueKind: not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined) } ? "set" : null);
            if (notOverridable.Count > 0)
            {
                return Invalid(notOverridable);
            }

            var profile = await profiles.FindAsync(profileId, context.RequestAborted);
            if (profile is null)
            {
                return Invalid([new SpecError("profileId", $"No profile has the id '{profileId}'.")]);
            }

            var built = specs.Build(profile, new ProfileStartOverrides(body.AccessToken, body.ClientToken, body.Services, body.BindAddress, body.Name));
            if (!built.IsValid)
            {
                return Invalid(built.Errors);
            }

            spec = built.Spec! with { ProfileId = profile.Id };
        }
        else
        {
            var errors = StartTunnelSpecs.Validate(body, out spec);
            if (errors.Count > 0)
            {
                return Invalid(errors);
            }
        }

        var result = starter.Start(spec, context.User.Identity?.Name);
        if (result.IsConflict)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: result.Errors[0].Message);
        }

        if (!result.Started)
        {
            return Invalid(result.Errors);
        }

        context.Items[AuditTarget.ItemKey] = result.Session!.Id;
        return TypedResults.Created($"/api/tunnels/{result.Session!.Id}", result.Session);
    }

    private static void AddIfSet(List<SpecError> errors, string field, string? value)
    {
        if (value is not null)
        {
            errors.Add(new SpecError(field, $"{field} comes from the profile; with profileId only name, accessToken, clientToken, services and bindAddress may be given."));
        }
    }

    /// <param name="sessions">The session manager.</param>
    /// <param name="state">Only sessions in this state.</param>
    /// <param name="mode">Only sessions of this mode.</param>
    /// <param name="profile">Only sessions started from this profile id.</param>
    private static Ok<IReadOnlyList<SessionSnapshot>> List(SessionManager sessions, SessionState? state, SessionMode? mode, string? profile)
    {
        IReadOnlyList<SessionSnapshot> list = sessions.List()
            .Where(s => state is null || s.State == state)
            .Where(s => mode is null || s.Mode == mode)
            .Where(s => string.IsNullOrEmpty(profile) || s.ProfileId == profile)
            .ToList();
        return TypedResults.Ok(list);
    }

    /// <param name="id">The session's id (from its snapshot).</param>
    /// <param name="sessions">The session manager.</param>
    private static Results<Ok<SessionSnapshot>, ProblemHttpResult> Get(string id, SessionManager sessions) =>
        sessions.Get(id) is { } session ? TypedResults.Ok(session) : NotFound(id);

    /// <param name="id">The session's id.</param>
    /// <param name="sessions">The session manager.</param>
    private static Results<Ok<IReadOnlyList<SessionLogLine>>, ProblemHttpResult> Logs(string id, SessionManager sessions) =>
        sessions.GetLog(id) is { } lines ? TypedResults.Ok(lines) : NotFound(id);

    /// <param name="id">The session's id.</param>
    /// <param name="cloudSessions">Stops the session, closing its cloud tunnel when asked.</param>
    /// <param name="context">The request (its id is recorded in the audit log).</param>
    /// <param name="closeTunnel">Also close the session's cloud tunnel (default: the choice made when it started; on for tunnels the gateway opened).</param>
    private static async Task<IResult> StopAsync(string id, bool? closeTunnel, CloudSessions cloudSessions, HttpContext context)
    {
        context.Items[AuditTarget.ItemKey] = id;
        return await cloudSessions.StopAsync(id, closeTunnel);
    }

    /// <param name="id">The session's id.</param>
    /// <param name="body">The new token, or rotate.</param>
    /// <param name="cloudSessions">Restarts the session.</param>
    /// <param name="context">The request (its user is recorded).</param>
    private static async Task<IResult> RestartWithTokenAsync(string id, NewTokenBody? body, CloudSessions cloudSessions, HttpContext context)
    {
        context.Items[AuditTarget.ItemKey] = id;
        return await cloudSessions.RestartAsync(id, body, context.User.Identity?.Name, context.RequestAborted);
    }

    /// <param name="sessions">The session manager.</param>
    /// <param name="context">The request (the count is recorded in the audit log).</param>
    private static Ok<ClearedSessionsResponse> ClearEnded(SessionManager sessions, HttpContext context)
    {
        var removed = sessions.List()
            .Where(s => s.State.IsFinal())
            .Select(s => s.Id)
            .Where(sessions.Remove)
            .ToList();
        context.Items[AuditTarget.ItemKey] = $"{removed.Count} ended session(s)";
        return TypedResults.Ok(new ClearedSessionsResponse(removed));
    }

    /// <param name="id">The session's id.</param>
    /// <param name="connectionKey">The connection's key from the snapshot: serviceId.connectionId, e.g. SSH.3.</param>
    /// <param name="sessions">The session manager.</param>
    private static Results<NoContent, ProblemHttpResult> ResetConnection(string id, string connectionKey, SessionManager sessions) =>
        sessions.ResetConnection(id, connectionKey) switch
        {
            null => NotFound(id),
            false => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Connection not found", detail: $"Session '{id}' has no connection '{connectionKey}'."),
            true => TypedResults.NoContent(),
        };

    private static ValidationProblem Invalid(IReadOnlyList<SpecError> errors) =>
        TypedResults.ValidationProblem(StartTunnelSpecs.ToValidationErrors(errors));

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No session has id '{id}'.");
}
