using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Api.Aws;
using Gateway.Engine.Aws;
using Polly;
using Polly.Retry;

namespace Gateway.Api.Clouds;

/// <summary>
/// The AWS IoT Secure Tunneling management API as a client (AWS JSON 1.1, SigV4 with signing name
/// <c>IoTSecuredTunneling</c>), for AWS and for anything that speaks it, such as this gateway's relay.
/// Throttling and 5xx answers are retried with exponential back-off and jitter (Polly); nothing else
/// is. Tokens in answers are handed to the caller and never logged.
/// </summary>
internal sealed partial class CloudApiClient(TimeProvider time, ILogger<CloudApiClient> logger)
{
    public const string SigningName = "IoTSecuredTunneling";
    public const string TargetPrefix = "IoTSecuredTunneling.";
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>One attempt's limit; a cloud that does not answer in time is a <see cref="CloudError.Timeout"/>.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    private readonly ResiliencePipeline<CallOutcome> _retry = new ResiliencePipelineBuilder<CallOutcome> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<CallOutcome>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.Error?.IsRetryable == true),
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            OnRetry = args =>
            {
                Log.Retrying(logger, args.AttemptNumber + 1, args.Outcome.Result?.Error?.Code ?? "?", args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    public async Task<CloudResult<OpenedTunnel>> OpenTunnelAsync(ResolvedCloud cloud, OpenTunnelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject();
        if (request.Description is { } description)
        {
            body["description"] = description;
        }

        if (request.Tags is { Count: > 0 } tags)
        {
            body["tags"] = TagList(tags);
        }

        var destination = new JsonObject { ["services"] = new JsonArray([.. request.Services.Select(s => (JsonNode)s)]) };
        if (request.ThingName is { } thing)
        {
            destination["thingName"] = thing;
        }

        body["destinationConfig"] = destination;
        if (request.LifetimeMinutes is { } minutes)
        {
            body["timeoutConfig"] = new JsonObject { ["maxLifetimeTimeoutMinutes"] = minutes };
        }

        var (answer, error) = await CallAsync(cloud, "OpenTunnel", body, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        string? id = Text(answer, "tunnelId"), arn = Text(answer, "tunnelArn"), source = Text(answer, "sourceAccessToken"), dest = Text(answer, "destinationAccessToken");
        return id is null || arn is null || source is null || dest is null
            ? new CloudError(CloudError.BadResponse, "OpenTunnel's answer lacks tunnelId, tunnelArn or an access token.")
            : new CloudResult<OpenedTunnel>(new OpenedTunnel(id, arn, source, dest), null);
    }

    public async Task<CloudError?> CloseTunnelAsync(ResolvedCloud cloud, string tunnelId, bool delete, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["tunnelId"] = tunnelId };
        if (delete)
        {
            body["delete"] = true;
        }

        return (await CallAsync(cloud, "CloseTunnel", body, cancellationToken)).Error;
    }

    /// <param name="cloud">The cloud.</param>
    /// <param name="tunnelId">The tunnel.</param>
    /// <param name="clientMode">SOURCE, DESTINATION or ALL.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<CloudResult<RotatedTokens>> RotateAsync(ResolvedCloud cloud, string tunnelId, string clientMode, CancellationToken cancellationToken)
    {
        var (answer, error) = await CallAsync(cloud, "RotateTunnelAccessToken", new JsonObject { ["tunnelId"] = tunnelId, ["clientMode"] = clientMode }, cancellationToken);
        return error ?? new CloudResult<RotatedTokens>(new RotatedTokens(Text(answer, "tunnelArn"), Text(answer, "sourceAccessToken"), Text(answer, "destinationAccessToken")), null);
    }

    public async Task<CloudResult<CloudTunnel>> DescribeAsync(ResolvedCloud cloud, string tunnelId, CancellationToken cancellationToken)
    {
        var (answer, error) = await CallAsync(cloud, "DescribeTunnel", new JsonObject { ["tunnelId"] = tunnelId }, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (answer?["tunnel"] is not JsonObject t || Text(t, "tunnelId") is not { } id)
        {
            return new CloudError(CloudError.BadResponse, "DescribeTunnel's answer has no tunnel.");
        }

        var config = t["destinationConfig"] as JsonObject;
        var services = (config?["services"] as JsonArray)?.Select(s => s?.GetValue<string>()).OfType<string>().ToList() ?? [];
        var tags = (t["tags"] as JsonArray)?.OfType<JsonObject>()
            .Where(tag => Text(tag, "key") is not null)
            .ToDictionary(tag => Text(tag, "key")!, tag => Text(tag, "value") ?? string.Empty, StringComparer.Ordinal) ?? [];
        return new CloudResult<CloudTunnel>(new CloudTunnel(
            id,
            Text(t, "tunnelArn"),
            Text(t, "status"),
            Text(t, "description"),
            config is null ? null : Text(config, "thingName"),
            services,
            (t["sourceConnectionState"] as JsonObject) is { } s ? Text(s, "status") : null,
            (t["destinationConnectionState"] as JsonObject) is { } d ? Text(d, "status") : null,
            (t["timeoutConfig"] as JsonObject)?["maxLifetimeTimeoutMinutes"]?.GetValue<int>(),
            Time(t, "createdAt"),
            Time(t, "lastUpdatedAt"),
            tags), null);
    }

    public async Task<CloudResult<CloudTunnelPage>> ListAsync(ResolvedCloud cloud, string? thingName, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var body = new JsonObject();
        if (thingName is not null)
        {
            body["thingName"] = thingName;
        }

        if (maxResults is not null)
        {
            body["maxResults"] = maxResults;
        }

        if (nextToken is not null)
        {
            body["nextToken"] = nextToken;
        }

        var (answer, error) = await CallAsync(cloud, "ListTunnels", body, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var list = (answer?["tunnelSummaries"] as JsonArray)?.OfType<JsonObject>()
            .Where(t => Text(t, "tunnelId") is not null)
            .Select(t => new CloudTunnelSummary(Text(t, "tunnelId")!, Text(t, "tunnelArn"), Text(t, "status"), Text(t, "description"), Time(t, "createdAt"), Time(t, "lastUpdatedAt")))
            .ToList() ?? [];
        return new CloudResult<CloudTunnelPage>(new CloudTunnelPage(list, Text(answer, "nextToken")), null);
    }

    /// <summary>One operation, signed afresh on each attempt; the answer's JSON or the error.</summary>
    private async Task<(JsonObject? Answer, CloudError? Error)> CallAsync(ResolvedCloud cloud, string operation, JsonObject body, CancellationToken cancellationToken)
    {
        AwsCredentials credentials;
        try
        {
            credentials = await cloud.Credentials.GetAsync(cancellationToken);
        }
        catch (CloudCredentialsException ex)
        {
            return (null, new CloudError(CloudError.NoCredentials, ex.Message));
        }

        byte[] payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        var outcome = await _retry.ExecuteAsync(
            async (state, token) => await SendAsync(state.cloud, state.operation, state.payload, state.credentials, token),
            (cloud, operation, payload, credentials),
            cancellationToken);
        if (outcome.Error is { } error)
        {
            Log.CallFailed(logger, operation, cloud.Name, error.Code, error.RequestId ?? "-");
        }

        return (outcome.Answer, outcome.Error);
    }

    private async Task<CallOutcome> SendAsync(ResolvedCloud cloud, string operation, byte[] payload, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        string target = TargetPrefix + operation;
        using var request = new HttpRequestMessage(HttpMethod.Post, cloud.ManagementEndpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in SigV4Signer.SignJson(cloud.ManagementEndpoint, target, ContentType, payload, credentials, cloud.Region, SigningName, time.GetUtcNow()))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        HttpResponseMessage response;
        try
        {
            response = await cloud.Http.SendAsync(request, attempt.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CallOutcome(null, new CloudError(CloudError.Timeout, $"{cloud.ManagementEndpoint} did not answer {operation} within {AttemptTimeout.TotalSeconds:0} s"));
        }
        catch (HttpRequestException ex)
        {
            return new CallOutcome(null, new CloudError(CloudError.Unreachable, $"could not reach {cloud.ManagementEndpoint}: {ex.GetBaseException().Message}"));
        }

        using (response)
        {
            string? requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(attempt.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new CallOutcome(null, new CloudError(CloudError.Unreachable, $"the answer from {cloud.ManagementEndpoint} broke off: {ex.GetBaseException().Message}", (int)response.StatusCode, requestId));
            }

            JsonObject? json = null;
            try
            {
                json = text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
            }

            if (response.IsSuccessStatusCode)
            {
                return json is null
                    ? new CallOutcome(null, new CloudError(CloudError.BadResponse, $"{operation}'s answer is not JSON", (int)response.StatusCode, requestId))
                    : new CallOutcome(json, null);
            }

            return new CallOutcome(null, ErrorOf(json, (int)response.StatusCode, requestId));
        }
    }

    // botocore's reading: the code from __type (after '#', before ':'), else the x-amzn-ErrorType header's role is played by the status.
    private static CloudError ErrorOf(JsonObject? json, int status, string? requestId)
    {
        string code = (json is null ? null : Text(json, "__type") ?? Text(json, "code")) ?? $"HTTP{status}";
        int hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        int colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        string message = (json is null ? null : Text(json, "message") ?? Text(json, "Message")) ?? $"HTTP {status} with no message";
        return new CloudError(code, message, status, requestId);
    }

    private static JsonArray TagList(IReadOnlyDictionary<string, string> tags) =>
        [.. tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })];

    private static string? Text(JsonObject? json, string name) =>
        json?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static DateTimeOffset? Time(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<double>(out double seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : null;

    private sealed record CallOutcome(JsonObject? Answer, CloudError? Error);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3700, Level = LogLevel.Warning, Message = "Cloud call {Operation} to '{Cloud}' failed: {Code} (request {RequestId})")]
        public static partial void CallFailed(ILogger logger, string operation, string cloud, string code, string requestId);

        [LoggerMessage(EventId = 3701, Level = LogLevel.Information, Message = "Cloud call: attempt {Attempt} after {Code}, waiting {DelayMs:0} ms")]
        public static partial void Retrying(ILogger logger, int attempt, string code, double delayMs);
    }
}
