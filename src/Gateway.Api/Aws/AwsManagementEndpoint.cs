using System.Text.Json;
using Gateway.Api.Auth;
using Gateway.Api.Data;
using Gateway.Engine.Aws;
using Gateway.Engine.Relay;
using Gateway.Engine.Relay.Management;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Aws;

/// <summary>
/// The AWS IoT Secure Tunneling management API at <c>POST /</c> with <c>X-Amz-Target:
/// IoTSecuredTunneling.&lt;Operation&gt;</c> (AWS JSON 1.1), so the AWS CLI and SDKs drive the relay
/// with only <c>--endpoint-url</c> changed. It runs before the gateway's own authentication: the
/// caller is a SigV4 signature made with an access key from <c>/api/aws-keys</c>, and the key's user's
/// role decides what it may do. Every answer carries <c>x-amzn-RequestId</c>; every change is audited.
/// </summary>
internal sealed partial class AwsManagementEndpoint(
    RequestDelegate next,
    IOptionsMonitor<AwsApiOptions> options,
    IDbContextFactory<GatewayDbContext> contexts,
    RelayManagementApi api,
    AwsAccessKeys keys,
    Clouds.GatewayCloudKey gatewayKey,
    Relay.RelayNotificationPublisher notifications,
    TimeProvider time,
    ILogger<AwsManagementEndpoint> logger)
{
    public const string ContentType = "application/x-amz-json-1.1";
    public const string SigningName = "IoTSecuredTunneling";

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var settings = options.CurrentValue;
        if (!settings.Enabled || !HttpMethods.IsPost(request.Method) || request.Path != "/" || !request.Headers.ContainsKey("X-Amz-Target"))
        {
            await next(context);
            return;
        }

        string requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        string target = request.Headers["X-Amz-Target"].ToString();
        string operation = target.StartsWith(ManagementOperations.TargetPrefix, StringComparison.Ordinal) ? target[ManagementOperations.TargetPrefix.Length..] : target;

        // The target is the caller's text: only a known operation's name reaches the log.
        string logged = ManagementOperations.All.Contains(operation) ? operation : "(unknown operation)";
        try
        {
            await HandleAsync(context, settings, target, operation, logged);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            Log.CallFailed(logger, logged, requestId, ex);
            if (!context.Response.HasStarted)
            {
                await WriteErrorAsync(context, new AwsError(AwsErrorTypes.ServiceUnavailable, $"The gateway could not complete the call (request {requestId}); retry shortly.", 503));
            }
        }
    }

    private async Task HandleAsync(HttpContext context, AwsApiOptions settings, string target, string operation, string logged)
    {
        var request = context.Request;
        if (!request.IsHttps && !settings.AllowPlainHttp)
        {
            await WriteErrorAsync(context, new AwsError(AwsErrorTypes.AccessDenied, "The management API is served over HTTPS only (its answers hold access tokens); use the https:// endpoint, or set AwsApi:AllowPlainHttp.", 403));
            return;
        }

        if (!target.StartsWith(ManagementOperations.TargetPrefix, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, new AwsError(AwsErrorTypes.UnknownOperation, $"X-Amz-Target '{target}' is not an operation of this service: expected {ManagementOperations.TargetPrefix}<Operation>."));
            return;
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, ContentType, StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, new AwsError(AwsErrorTypes.UnsupportedMediaType, $"Content-Type must be {ContentType} (AWS JSON 1.1); '{request.ContentType}' was sent.", 415));
            return;
        }

        var body = await ReadBodyAsync(request, settings.MaxRequestBytes, context.RequestAborted);
        if (body is null)
        {
            await WriteErrorAsync(context, new AwsError(AwsErrorTypes.RequestTooLarge, $"The request body is larger than {settings.MaxRequestBytes} bytes (AwsApi:MaxRequestBytes).", 413));
            return;
        }

        var signed = new SignedRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, name => Header(request, name), body);
        var verifier = new SigV4Verifier(SigningName, api.Region, settings.ClockSkew);
        var now = time.GetUtcNow();
        var (credential, error) = verifier.Parse(signed, now);
        if (error is not null)
        {
            Log.Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", error.Type, logged);
            await WriteErrorAsync(context, error);
            return;
        }

        if (gatewayKey.Is(credential!.AccessKeyId))
        {
            // The gateway's own calls (the cloud "local"): checked like any other signature.
            if (SigV4Verifier.Verify(signed, credential, gatewayKey.Credentials.SecretAccessKey) is { } wrong)
            {
                Log.Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", wrong.Type, logged);
                await WriteErrorAsync(context, wrong);
                return;
            }

            await AnswerAsync(context, operation, body, new ManagementCaller(Clouds.GatewayCloudKey.CallerName, MayChange: true), "gateway (cloud local)", now, db: null);
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var key = AwsAccessKeys.LooksLikeKeyId(credential.AccessKeyId)
            ? await db.AwsAccessKeys.Include(k => k.User).SingleOrDefaultAsync(k => k.Id == credential.AccessKeyId, context.RequestAborted)
            : null;
        string? secret = key is { RevokedAt: null, User: not null } ? keys.TryUnprotect(key.ProtectedSecret) : null;
        if (key is null || secret is null)
        {
            Log.Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", AwsErrorTypes.UnrecognizedClient, logged);
            await WriteErrorAsync(context, new AwsError(AwsErrorTypes.UnrecognizedClient, "The security token included in the request is invalid: the access key id is unknown to this gateway or was revoked."));
            return;
        }

        if (SigV4Verifier.Verify(signed, credential, secret) is { } mismatch)
        {
            Log.Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", mismatch.Type, logged);
            await WriteErrorAsync(context, mismatch);
            return;
        }

        var user = key.User!;
        var caller = new ManagementCaller(user.UserName, Roles.Satisfies(user.Role, Roles.Operator));
        await AnswerAsync(context, operation, body, caller, $"{user.UserName} (AWS key {key.Id})", now, db);

        if (key.LastUsedAt is null || now - key.LastUsedAt.Value >= LastUsedResolution)
        {
            key.LastUsedAt = now;
        }

        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Runs the operation, writes its answer and, for a change, its audit entry (saved by the caller when <paramref name="db"/> is given).</summary>
    private async Task AnswerAsync(HttpContext context, string operation, byte[] body, ManagementCaller caller, string actor, DateTimeOffset now, GatewayDbContext? db)
    {
        var result = await api.InvokeAsync(operation, body, caller, context.RequestAborted);
        if (result.Error is { } failure)
        {
            await WriteErrorAsync(context, failure);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = ContentType;
            await context.Response.Body.WriteAsync(result.Body, context.RequestAborted);

            // AWS IoT tells the thing (OpenTunnel with a thing, a destination rotation with destinationConfig).
            notifications.AfterCall(operation, body, result);
        }

        if (ManagementOperations.ReadOnly.Contains(operation))
        {
            return;
        }

        var entry = new AuditEntryEntity
        {
            At = now,
            Actor = actor,
            Method = "POST",
            Path = $"/ {ManagementOperations.TargetPrefix}{operation}",
            Status = context.Response.StatusCode,
            Target = result.TunnelId,
            RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
        };
        if (db is not null)
        {
            db.AuditLog.Add(entry);
            return;
        }

        await using var own = await contexts.CreateDbContextAsync(CancellationToken.None);
        own.AuditLog.Add(entry);
        await own.SaveChangesAsync(CancellationToken.None);
    }

    private static string? Header(HttpRequest request, string name)
    {
        if (string.Equals(name, "host", StringComparison.Ordinal))
        {
            // As received, with its port (a proxy in front must keep the client's Host).
            return request.Headers.Host.Count == 0 ? null : request.Headers.Host.ToString();
        }

        return request.Headers.TryGetValue(name, out var values) ? string.Join(',', values.Select(v => v ?? string.Empty)) : null;
    }

    /// <summary>The whole body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task WriteErrorAsync(HttpContext context, AwsError error)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = ContentType;
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("__type", error.Type);
        json.WriteString("message", error.Message);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "AWS management call {Operation} from {Remote} refused: {ErrorType}")]
        public static partial void Refused(ILogger logger, string remote, string errorType, string operation);

        [LoggerMessage(EventId = 3501, Level = LogLevel.Error, Message = "AWS management call {Operation} (request {RequestId}) failed")]
        public static partial void CallFailed(ILogger logger, string operation, string requestId, Exception exception);
    }
}
