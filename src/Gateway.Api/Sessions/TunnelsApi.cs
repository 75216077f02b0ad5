using Gateway.Api.Auth;
using Gateway.Api.History;
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

        group.MapPost("/", Start)
            .WithName("StartTunnel")
            .WithSummary("Start a local-proxy session (one tunnel end)")
            .WithDescription("Validates the spec (every error names its field) and starts the session. A source session's ports are bound before the answer, so a port in use is a 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("/", List)
            .WithName("ListTunnels")
            .WithSummary("List sessions, optionally filtered by state and mode")
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
            .WithDescription("Sends a close frame (1000) to the tunnel service, closes the local connections and answers the session's final snapshot.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}/connections/{connectionKey}", ResetConnection)
            .WithName("ResetTunnelConnection")
            .WithSummary("Reset one connection (key serviceId.connectionId); the peer gets its CONNECTION_RESET")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <param name="body">The session's spec: mode, region or endpoint, access token, services.</param>
    /// <param name="sessions">The session manager.</param>
    /// <param name="ports">The allowed source ports (Sessions:SourcePortMin/Max, not the gateway's own).</param>
    /// <param name="history">Records who started the session.</param>
    /// <param name="context">The request: its user is recorded.</param>
    private static Results<Created<SessionSnapshot>, ValidationProblem, ProblemHttpResult> Start(
        StartTunnelBody? body, SessionManager sessions, SourcePortPolicy ports, SessionHistoryRecorder history, HttpContext context)
    {
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["body"] = ["A JSON body is required, e.g. {\"mode\":\"source\",\"endpoint\":\"wss://127.0.0.1:5443\",\"accessToken\":\"...\",\"services\":\"SSH=2222\"}."],
            });
        }

        var errors = new List<SpecError>();
        var spec = ToSpec(body, errors);
        if (errors.Count > 0)
        {
            // Report everything at once: the body-level errors plus what the spec itself has wrong
            // (services are judged by mode, so they are left out when the mode is unusable).
            bool modeKnown = errors.TrueForAll(e => e.Field != "mode");
            errors.AddRange(SessionSpecValidator.Validate(spec).Errors.Where(e => modeKnown || e.Field != "services"));
            return Invalid(errors);
        }

        var portErrors = ports.Check(spec);
        if (portErrors.Count > 0)
        {
            return Invalid(portErrors);
        }

        var result = sessions.Start(spec);
        if (result.IsConflict)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: result.Errors[0].Message);
        }

        if (!result.Started)
        {
            return Invalid(result.Errors);
        }

        history.RecordStart(result.Session!, context.User.Identity?.Name, profileId: null, SessionSpecJson.WithoutSecrets(spec));
        context.Items[AuditTarget.ItemKey] = result.Session!.Id;
        return TypedResults.Created($"/api/tunnels/{result.Session!.Id}", result.Session);
    }

    /// <param name="sessions">The session manager.</param>
    /// <param name="state">Only sessions in this state.</param>
    /// <param name="mode">Only sessions of this mode.</param>
    private static Ok<IReadOnlyList<SessionSnapshot>> List(SessionManager sessions, SessionState? state, SessionMode? mode)
    {
        IReadOnlyList<SessionSnapshot> list = sessions.List()
            .Where(s => state is null || s.State == state)
            .Where(s => mode is null || s.Mode == mode)
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
    /// <param name="sessions">The session manager.</param>
    /// <param name="context">The request (its id is recorded in the audit log).</param>
    private static async Task<Results<Ok<SessionSnapshot>, ProblemHttpResult>> StopAsync(string id, SessionManager sessions, HttpContext context)
    {
        context.Items[AuditTarget.ItemKey] = id;
        return await sessions.StopAsync(id) is { } session ? TypedResults.Ok(session) : NotFound(id);
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

    private static SessionSpec ToSpec(StartTunnelBody body, List<SpecError> errors)
    {
        SessionMode mode = default;
        switch (body.Mode?.Trim().ToLowerInvariant())
        {
            case "source" or "src":
                mode = SessionMode.Source;
                break;
            case "destination" or "dst":
                mode = SessionMode.Destination;
                break;
            default:
                errors.Add(new SpecError("mode", "mode is required: source (src) or destination (dst)"));
                break;
        }

        var format = MessageFormat.V3;
        if (body.DestinationClientType is { Length: > 0 } type && !Enum.TryParse(type.Trim(), ignoreCase: true, out format))
        {
            errors.Add(new SpecError("destinationClientType", "destinationClientType must be V1, V2 or V3"));
        }

        var settings = ProxySettings.Default;
        if (body.Settings is { } json && json.ValueKind is not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined))
        {
            var imported = ProxySettingsJson.Import(json.GetRawText());
            if (imported.Settings is null)
            {
                errors.AddRange(imported.Errors);
            }
            else
            {
                settings = imported.Settings;
            }
        }

        return new SessionSpec
        {
            Name = body.Name,
            Mode = mode,
            Region = body.Region,
            Endpoint = body.Endpoint,
            AccessToken = body.AccessToken ?? string.Empty,
            ClientToken = body.ClientToken,
            Services = body.Services,
            BindAddress = body.BindAddress,
            CaPath = body.CaPath,
            SkipTlsVerify = body.SkipTlsVerify ?? false,
            HttpsProxy = body.HttpsProxy,
            MessageFormat = format,
            Settings = settings,
        };
    }

    // The engine names the spec's property; the body calls the message format destinationClientType.
    private static ValidationProblem Invalid(IReadOnlyList<SpecError> errors) =>
        TypedResults.ValidationProblem(errors
            .GroupBy(e => e.Field == "messageFormat" ? "destinationClientType" : e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No session has id '{id}'.");
}
