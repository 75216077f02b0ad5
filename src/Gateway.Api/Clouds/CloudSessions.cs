using Gateway.Api.Sessions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Proxy;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;

namespace Gateway.Api.Clouds;

/// <summary>
/// Sessions on cloud tunnels: open a tunnel and start its source end (and optionally its destination
/// end) in one call, attach to an existing tunnel by rotating its source token, and close a tunnel
/// when the session that opened it stops. A failure part way leaves nothing behind.
/// </summary>
internal sealed partial class CloudSessions(
    CloudDirectory clouds,
    CloudApiClient client,
    SessionStarter starter,
    SessionManager sessions,
    SessionResumption resumption,
    ILogger<CloudSessions> logger)
{
    /// <summary>A tunnel's token must not be given before the spec is known to be good: this stands in for it while validating.</summary>
    private const string PendingToken = "token-from-the-cloud";

    public async Task<IResult> OpenAsync(StartTunnelBody body, string? user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var open = body.Open!;
        var errors = new List<SpecError>();
        if (body.ProfileId is not null)
        {
            errors.Add(new("profileId", "open starts the spec given here; it cannot be combined with profileId."));
        }

        if (body.Mode is { } mode && StartTunnelSpecs.ParseMode(mode) != SessionMode.Source)
        {
            errors.Add(new("mode", "With open the gateway runs the tunnel's source end: leave mode out or give source."));
        }

        AddIfSet(errors, "region", body.Region);
        AddIfSet(errors, "endpoint", body.Endpoint);
        AddIfSet(errors, "accessToken", body.AccessToken);
        string cloudName = open.Cloud?.Trim() ?? string.Empty;
        if (cloudName.Length == 0)
        {
            errors.Add(new("open.cloud", "open.cloud is required: the name of a cloud from /api/clouds, or local for this gateway's relay."));
        }

        string[] services = open.Services ?? [];
        if (services.Length == 0)
        {
            errors.Add(new("open.services", "open.services is required: the tunnel's service names, e.g. [\"SSH\"] or [\"SSH\",\"WEB\"]."));
        }
        else if (services.Any(s => s is null || !CloudRules.Identifier().IsMatch(s)))
        {
            errors.Add(new("open.services", "Each of open.services is 1 to 128 of letters, digits, ':', '_' and '-'."));
        }
        else if (services.Distinct(StringComparer.Ordinal).Count() != services.Length)
        {
            errors.Add(new("open.services", "open.services names a service twice."));
        }

        if (open.ThingName is { } thing && !CloudRules.Identifier().IsMatch(thing))
        {
            errors.Add(new("open.thingName", "open.thingName is 1 to 128 of letters, digits, ':', '_' and '-', as AWS IoT names things."));
        }

        if (open.LifetimeMinutes is < 1 or > CloudRules.MaxLifetimeMinutes)
        {
            errors.Add(new("open.lifetimeMinutes", $"open.lifetimeMinutes is 1 to {CloudRules.MaxLifetimeMinutes} (12 hours)."));
        }

        if (open.Description is { } description && (description.Length > 2048 || description.Any(char.IsControl)))
        {
            errors.Add(new("open.description", "open.description is at most 2048 characters, without control characters."));
        }

        if (CloudRules.CheckTags(open.Tags) is { } tagError)
        {
            errors.Add(new("open.tags", tagError));
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var (cloud, cloudError) = await clouds.ResolveAsync(cloudName, cancellationToken);
        if (cloud is null)
        {
            return Invalid([new("open.cloud", cloudError!)]);
        }

        string? sourceMap = MatchServices(body.Services, SessionMode.Source, services, "services", errors);
        string? destinationMap = body.Destination is { } destination ? MatchServices(destination.Services, SessionMode.Destination, services, "destination.services", errors) : null;
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var sourceBody = OnCloud(body, cloud) with { Mode = SessionModes.Source, Services = sourceMap };
        errors.AddRange(StartTunnelSpecs.Validate(sourceBody, out var sourceSpec));
        SessionSpec? destinationSpec = null;
        if (body.Destination is { } dest)
        {
            var destinationBody = OnCloud(body, cloud) with { Mode = SessionModes.Destination, Services = destinationMap, BindAddress = dest.BindAddress, Name = null };
            errors.AddRange(StartTunnelSpecs.Validate(destinationBody, out var validDestination).Select(e => e with { Field = e.Field is "services" or "bindAddress" ? "destination." + e.Field : e.Field }));
            destinationSpec = validDestination;
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        // Not cancelled with the request: a caller who hangs up while the cloud opens the tunnel must
        // not leave it open and unknown. Each attempt is bounded by the client's own timeout.
        var opened = await client.OpenTunnelAsync(cloud, new OpenTunnelRequest(services, open.ThingName, open.Description, open.LifetimeMinutes, open.Tags), CancellationToken.None);
        if (opened.Error is { } openError)
        {
            return CloudProblem("OpenTunnel", cloud.Name, openError, "open");
        }

        var tunnel = opened.Value!;
        var reference = new SessionTunnel(cloud.Name, tunnel.TunnelId, tunnel.TunnelArn, OpenedHere: true);
        bool closeOnStop = open.CloseOnStop ?? true;
        string baseName = body.Name ?? $"{open.ThingName ?? "tunnel " + tunnel.TunnelId[..Math.Min(8, tunnel.TunnelId.Length)]} {string.Join('+', services)}";
        var source = starter.Start(sourceSpec with { Name = baseName, AccessToken = tunnel.SourceAccessToken, Tunnel = reference }, user, closeTunnelOnStop: closeOnStop);
        if (!source.Started)
        {
            await CloseAfterFailureAsync(cloud, tunnel.TunnelId);
            return StartFailed(source, $"Tunnel {tunnel.TunnelId} was opened and closed again.");
        }

        SessionSnapshot? destinationSession = null;
        if (destinationSpec is not null)
        {
            var started = starter.Start(destinationSpec with { Name = baseName + " (destination)", AccessToken = tunnel.DestinationAccessToken, Tunnel = reference }, user);
            if (!started.Started)
            {
                await sessions.StopAsync(source.Session!.Id);
                resumption.Forget(source.Session!.Id);
                await CloseAfterFailureAsync(cloud, tunnel.TunnelId);
                var prefixed = started with { Errors = [.. started.Errors.Select(e => e with { Field = e.Field is "services" or "bindAddress" ? "destination." + e.Field : e.Field })] };
                return StartFailed(prefixed, $"The source session was stopped and tunnel {tunnel.TunnelId} closed again.");
            }

            destinationSession = started.Session;
        }

        Log.Opened(logger, tunnel.TunnelId, cloud.Name, source.Session!.Id);
        var info = new OpenedTunnelInfo(cloud.Name, tunnel.TunnelId, tunnel.TunnelArn, open.ThingName, services,
            destinationSession is null ? tunnel.DestinationAccessToken : null, closeOnStop);
        return TypedResults.Created($"/api/tunnels/{source.Session.Id}", new OpenedSessionResponse(source.Session, info, destinationSession));
    }

    /// <summary>Rotates an existing tunnel's source token and starts the source end here.</summary>
    public async Task<IResult> ConnectAsync(string cloudName, string tunnelId, ConnectCloudTunnelBody? body, string? user, CancellationToken cancellationToken)
    {
        var (cloud, cloudError) = await clouds.ResolveAsync(cloudName, cancellationToken);
        if (cloud is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Cloud not found", detail: cloudError);
        }

        var described = await client.DescribeAsync(cloud, tunnelId, cancellationToken);
        if (described.Error is { } describeError)
        {
            return CloudProblem("DescribeTunnel", cloud.Name, describeError, "tunnelId");
        }

        var tunnel = described.Value!;
        if (!string.Equals(tunnel.Status, "OPEN", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tunnel closed", detail: $"Tunnel {tunnelId} on cloud '{cloud.Name}' is {tunnel.Status ?? "not open"}.");
        }

        var errors = new List<SpecError>();
        string? map = MatchServices(body?.Services, SessionMode.Source, [.. tunnel.Services], "services", errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var request = new StartTunnelBody
        {
            Name = body?.Name ?? $"{tunnel.ThingName ?? "tunnel " + tunnelId[..Math.Min(8, tunnelId.Length)]} {string.Join('+', tunnel.Services)}",
            Mode = SessionModes.Source,
            AccessToken = PendingToken,
            Services = map,
            BindAddress = body?.BindAddress,
        };
        errors.AddRange(StartTunnelSpecs.Validate(OnCloud(request, cloud), out var spec));
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var rotated = await client.RotateAsync(cloud, tunnelId, "SOURCE", cancellationToken);
        if (rotated.Error is { } rotateError)
        {
            return CloudProblem("RotateTunnelAccessToken", cloud.Name, rotateError, "tunnelId");
        }

        if (rotated.Value!.SourceAccessToken is not { } token)
        {
            return CloudProblem("RotateTunnelAccessToken", cloud.Name, new CloudError(CloudError.BadResponse, "the answer carried no source token"), "tunnelId");
        }

        var started = starter.Start(spec with { AccessToken = token, Tunnel = new SessionTunnel(cloud.Name, tunnelId, tunnel.TunnelArn, OpenedHere: false) }, user, closeTunnelOnStop: body?.CloseOnStop ?? false);
        if (!started.Started)
        {
            return StartFailed(started, $"The source token of tunnel {tunnelId} was rotated; connect again to use it.");
        }

        Log.Connected(logger, tunnelId, cloud.Name, started.Session!.Id);
        return TypedResults.Created($"/api/tunnels/{started.Session.Id}", started.Session);
    }

    /// <summary>Stops a session; closes its tunnel when asked (or by the session's own choice). Null result: no such session.</summary>
    public async Task<IResult> StopAsync(string id, bool? closeTunnel)
    {
        if (sessions.Get(id) is not { } before)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No session has id '{id}'.");
        }

        bool close = closeTunnel ?? resumption.ClosesTunnelOnStop(id);
        var stopped = await sessions.StopAsync(id);
        resumption.Forget(id);
        if (!close || before.Tunnel is not { } tunnel)
        {
            return TypedResults.Ok(stopped);
        }

        var (cloud, cloudError) = await clouds.ResolveAsync(tunnel.Cloud, CancellationToken.None);
        var error = cloud is null ? new CloudError(CloudError.NoCredentials, cloudError!) : await client.CloseTunnelAsync(cloud, tunnel.TunnelId, delete: false, CancellationToken.None);
        if (error is null || error.Code == Engine.Aws.AwsErrorTypes.ResourceNotFound)
        {
            Log.ClosedOnStop(logger, tunnel.TunnelId, tunnel.Cloud, id);
            return TypedResults.Ok(stopped);
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Session stopped; its tunnel was not closed",
            detail: $"Session {id} stopped, but closing tunnel {tunnel.TunnelId} on cloud '{tunnel.Cloud}' failed: {error.Reason}. Close it from the cloud's tunnel list.",
            extensions: new Dictionary<string, object?> { ["cloud"] = tunnel.Cloud, ["tunnelId"] = tunnel.TunnelId, ["code"] = error.Code });
    }

    /// <summary>
    /// Starts a finished session again under its id with a new access token: the one given, or (with
    /// <c>rotate</c>) one rotated for its end on the cloud its tunnel is on. For a session that ended
    /// on a spent or revoked token.
    /// </summary>
    public async Task<IResult> RestartAsync(string id, NewTokenBody? body, string? user, CancellationToken cancellationToken)
    {
        if (sessions.GetStartInfo(id) is not { } info || sessions.Get(id) is not { } snapshot)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No session has id '{id}'.");
        }

        if (!snapshot.State.IsFinal())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Session running", detail: $"Session '{id}' is {snapshot.State}; a new token is for a session that ended.");
        }

        string? token = body?.AccessToken;
        if (body?.Rotate == true)
        {
            if (token is not null)
            {
                return Invalid([new("rotate", "Give either accessToken or rotate, not both.")]);
            }

            if (info.Spec.Tunnel is not { } tunnel)
            {
                return Invalid([new("rotate", "The session's tunnel is not on a known cloud: give accessToken.")]);
            }

            var (cloud, cloudError) = await clouds.ResolveAsync(tunnel.Cloud, cancellationToken);
            if (cloud is null)
            {
                return Invalid([new("rotate", cloudError!)]);
            }

            string mode = info.Spec.Mode == SessionMode.Source ? "SOURCE" : "DESTINATION";
            var rotated = await client.RotateAsync(cloud, tunnel.TunnelId, mode, cancellationToken);
            if (rotated.Error is { } error)
            {
                return CloudProblem("RotateTunnelAccessToken", cloud.Name, error, "rotate");
            }

            token = mode == "SOURCE" ? rotated.Value!.SourceAccessToken : rotated.Value!.DestinationAccessToken;
        }

        if (string.IsNullOrEmpty(token))
        {
            return Invalid([new("accessToken", "accessToken is required (a fresh token for this end), or rotate: true for a session on a cloud tunnel.")]);
        }

        bool closeTunnelOnStop = resumption.LastCloseTunnelOnStop(id) ?? info.Spec.Tunnel?.OpenedHere ?? false;
        var started = starter.Start(info.Spec with { AccessToken = token }, user, info.Options, closeTunnelOnStop: closeTunnelOnStop);
        return started.Started ? TypedResults.Ok(started.Session) : StartFailed(started, string.Empty);
    }

    /// <summary>The problem a failed cloud call answers: 400 naming <paramref name="field"/> for a validation error, else the cause with its code and request id.</summary>
    public static IResult CloudProblem(string operation, string cloud, CloudError error, string field)
    {
        if (error.Code == Engine.Aws.AwsErrorTypes.Validation)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"Cloud '{cloud}' refused {operation}: {error.Message}"] });
        }

        return TypedResults.Problem(
            statusCode: error.StatusForCaller,
            title: $"{operation} on cloud '{cloud}' failed",
            detail: error.Reason,
            extensions: new Dictionary<string, object?> { ["cloud"] = cloud, ["code"] = error.Code, ["requestId"] = error.RequestId });
    }

    /// <summary>
    /// Checks that <paramref name="map"/> gives exactly one local service per tunnel service; a bare
    /// port or address is taken for the only service. The map to start, or null with an error.
    /// </summary>
    private static string? MatchServices(string? map, SessionMode mode, string[] services, string field, List<SpecError> errors)
    {
        if (string.IsNullOrWhiteSpace(map))
        {
            errors.Add(new(field, mode == SessionMode.Source
                ? $"{field} is required: a local port for each tunnel service, e.g. {string.Join(',', services.Select((s, i) => $"{s}={2222 + i}"))}."
                : $"{field} is required: a local address for each tunnel service, e.g. {string.Join(',', services.Select(s => $"{s}=127.0.0.1:22"))}."));
            return null;
        }

        var parsed = new List<SpecError>();
        var mappings = ServiceMapParser.Parse(map, mode, field, parsed);
        if (parsed.Count > 0)
        {
            errors.AddRange(parsed);
            return null;
        }

        if (mappings.Count == 1 && mappings[0].ServiceId is null && services.Length == 1)
        {
            return ServiceMapParser.Format([mappings[0] with { ServiceId = services[0] }]);
        }

        var given = mappings.Select(m => m.ServiceId ?? "(no name)").ToHashSet(StringComparer.Ordinal);
        if (!given.SetEquals(services))
        {
            errors.Add(new(field, $"{field} must name each of the tunnel's services ({string.Join(", ", services)}) once; it names {string.Join(", ", given.Order(StringComparer.Ordinal))}."));
            return null;
        }

        return map;
    }

    /// <summary>The body aimed at the cloud's data plane (its endpoint, or AWS's for its region), with the stand-in token.</summary>
    private static StartTunnelBody OnCloud(StartTunnelBody body, ResolvedCloud cloud) => body with
    {
        Region = cloud.DataEndpoint is null ? cloud.Region : null,
        Endpoint = cloud.DataEndpoint,
        CaPath = body.CaPath ?? cloud.CaPath,
        AccessToken = PendingToken,
        Open = null,
        Destination = null,
    };

    /// <summary>Closes a tunnel opened by a call that then failed; whatever the caller does meanwhile, so nothing is left open.</summary>
    private async Task CloseAfterFailureAsync(ResolvedCloud cloud, string tunnelId)
    {
        if (await client.CloseTunnelAsync(cloud, tunnelId, delete: false, CancellationToken.None) is { } error)
        {
            Log.NotClosedAfterFailure(logger, tunnelId, cloud.Name, error.Reason);
        }
    }

    private static void AddIfSet(List<SpecError> errors, string field, string? value)
    {
        if (value is not null)
        {
            errors.Add(new(field, $"With open, {field} comes from the cloud: leave it out."));
        }
    }

    private static IResult StartFailed(SessionStartResult result, string note) => result.IsConflict
        ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"{result.Errors[0].Message} {note}")
        : TypedResults.ValidationProblem(StartTunnelSpecs.ToValidationErrors(result.Errors), detail: note);

    private static IResult Invalid(IEnumerable<SpecError> errors) => TypedResults.ValidationProblem(StartTunnelSpecs.ToValidationErrors(errors));

    private static partial class Log
    {
        [LoggerMessage(EventId = 3705, Level = LogLevel.Information, Message = "Opened tunnel {TunnelId} on cloud '{Cloud}'; its source end is session {SessionId}")]
        public static partial void Opened(ILogger logger, string tunnelId, string cloud, string sessionId);

        [LoggerMessage(EventId = 3706, Level = LogLevel.Information, Message = "Rotated the source token of tunnel {TunnelId} on cloud '{Cloud}'; its source end is session {SessionId}")]
        public static partial void Connected(ILogger logger, string tunnelId, string cloud, string sessionId);

        [LoggerMessage(EventId = 3707, Level = LogLevel.Information, Message = "Closed tunnel {TunnelId} on cloud '{Cloud}' as session {SessionId} stopped")]
        public static partial void ClosedOnStop(ILogger logger, string tunnelId, string cloud, string sessionId);

        [LoggerMessage(EventId = 3708, Level = LogLevel.Warning, Message = "Tunnel {TunnelId} on cloud '{Cloud}' could not be closed after a failed start: {Reason}")]
        public static partial void NotClosedAfterFailure(ILogger logger, string tunnelId, string cloud, string reason);
    }
}
