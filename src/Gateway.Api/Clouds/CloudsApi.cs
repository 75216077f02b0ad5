using System.Diagnostics;
using Gateway.Api.Auth;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Clouds;

/// <summary>Body of <c>PUT /api/clouds/{name}</c>: where tunnels are opened and with which credentials.</summary>
/// <param name="Description">Free text.</param>
/// <param name="Region">AWS region, e.g. eu-west-1 (calls are signed for it; the data plane is derived from it).</param>
/// <param name="ManagementEndpoint">Override of AWS's regional management endpoint (FIPS, VPC endpoint, another gateway's relay).</param>
/// <param name="DataEndpoint">Override of the data plane sessions connect to (wss:// URL or host[:port]).</param>
/// <param name="CaPath">A directory of extra trusted CA certificates (PEM or DER) for both endpoints; default: the system's trust store.</param>
/// <param name="CredentialSource">chain (default: the AWS SDK's credential chain, or profileName) or static (accessKeyId and secretAccessKey).</param>
/// <param name="ProfileName">chain: a profile of the shared AWS config and credentials files.</param>
/// <param name="CredentialsFile">chain with profileName: a credentials file other than ~/.aws/credentials.</param>
/// <param name="AccessKeyId">static: the access key id.</param>
/// <param name="SecretAccessKey">static: the secret (write-only; omit it to keep the stored one for the same key id).</param>
/// <param name="SessionToken">static, temporary credentials: the session token (write-only).</param>
internal sealed record CloudBody(
    string? Description,
    string? Region,
    string? ManagementEndpoint,
    string? DataEndpoint,
    string? CaPath,
    string? CredentialSource,
    string? ProfileName,
    string? CredentialsFile,
    string? AccessKeyId,
    string? SecretAccessKey,
    string? SessionToken);

/// <summary>A cloud as listed: never its secret or session token.</summary>
internal sealed record CloudResponse(
    string Name,
    string? Description,
    string Region,
    string ManagementEndpoint,
    string DataEndpoint,
    string? CaPath,
    string CredentialSource,
    string Credentials,
    string? ProfileName,
    string? CredentialsFile,
    string? AccessKeyId,
    bool HasSecretAccessKey,
    bool HasSessionToken,
    bool BuiltIn,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

/// <summary>The answer of a cloud's test: ListTunnels with maxResults 1.</summary>
internal sealed record CloudTestResponse(bool Ok, string Reason, string? Code, string? RequestId, double ElapsedMs);

/// <summary>
/// <c>/api/clouds</c>: where the gateway opens tunnels. Reading needs viewer, testing operator, changes admin.
/// </summary>
internal static class CloudsApi
{
    public static IEndpointRouteBuilder MapCloudsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/clouds").WithTags("Clouds");
        group.MapGet("/", ListAsync).WithName("ListClouds").WithSummary("List clouds, the built-in 'local' first; never a secret");
        group.MapGet("/{name}", GetAsync).WithName("GetCloud").WithSummary("One cloud").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}", PutAsync).WithName("PutCloud")
            .WithSummary("Create or replace a cloud (admin)")
            .WithDescription("Credentials come from the AWS SDK's chain (environment, shared files or a profile, web identity, container or instance metadata) or are a static key, stored encrypted and never returned.");
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteCloud").WithSummary("Delete a cloud (admin); its running sessions keep running").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/test", TestAsync).WithName("TestCloud")
            .WithSummary("Check a cloud's endpoint and credentials with ListTunnels (maxResults 1)")
            .WithDescription("Answers ok, or the reason in words: unknown key, bad signature, wrong region, expired token, access denied, no route, no credentials.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<Ok<List<CloudResponse>>> ListAsync(CloudDirectory clouds, IDbContextFactory<GatewayDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var stored = await db.Clouds.AsNoTracking().ToListAsync(cancellationToken);
        var list = new List<CloudResponse>();
        if (Local(clouds) is { } local)
        {
            list.Add(local);
        }

        list.AddRange(stored.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => ToResponse(c, clouds)));
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Ok<CloudResponse>, ProblemHttpResult>> GetAsync(string name, CloudDirectory clouds, IDbContextFactory<GatewayDbContext> contexts, CancellationToken cancellationToken)
    {
        if (name == CloudDirectory.LocalName)
        {
            return Local(clouds) is { } local ? TypedResults.Ok(local) : NotFound(name);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Clouds.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, cancellationToken);
        return entity is null ? NotFound(name) : TypedResults.Ok(ToResponse(entity, clouds));
    }

    private static async Task<Results<Ok<CloudResponse>, Created<CloudResponse>, ValidationProblem>> PutAsync(
        string name, CloudBody? body, CloudDirectory clouds, IDbContextFactory<GatewayDbContext> contexts, TimeProvider time, HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];
        if (name == CloudDirectory.LocalName)
        {
            Error("name", "'local' is this gateway's own relay and cannot be changed.");
        }
        else if (!CloudRules.Name().IsMatch(name))
        {
            Error("name", "A cloud's name is 1 to 64 of lower-case letters, digits and '-', starting with a letter or digit.");
        }

        if (body is null)
        {
            Error("body", "A JSON body is required, e.g. {\"region\":\"eu-west-1\"} (the AWS SDK's credential chain) or {\"region\":\"eu-west-1\",\"credentialSource\":\"static\",\"accessKeyId\":\"AKIA...\",\"secretAccessKey\":\"...\"}.");
            return TypedResults.ValidationProblem(errors);
        }

        string region = body.Region?.Trim() ?? string.Empty;
        if (!CloudRules.Region().IsMatch(region))
        {
            Error("region", "region is required, as AWS names regions, e.g. us-east-1 or eu-central-1.");
        }

        if (body.ManagementEndpoint is { Length: > 0 } management && CloudRules.CheckManagementEndpoint(management.Trim()) is { } managementError)
        {
            Error("managementEndpoint", managementError);
        }

        if (body.DataEndpoint is { Length: > 0 } data && (data.Length > 2048 || data.Any(char.IsWhiteSpace)))
        {
            Error("dataEndpoint", "dataEndpoint is a wss:// URL or host[:port], without spaces, e.g. wss://data.tunneling.iot.us-east-1.amazonaws.com.");
        }

        if (body.CaPath is { Length: > 0 } caPath && (!Path.IsPathFullyQualified(caPath) || !Directory.Exists(caPath)))
        {
            Error("caPath", $"caPath must be an existing directory, given as an absolute path; '{caPath}' is not one.");
        }

        if (body.Description is { Length: > 1024 })
        {
            Error("description", "description is at most 1024 characters.");
        }

        string source = string.IsNullOrWhiteSpace(body.CredentialSource) ? CloudRules.ChainSource : body.CredentialSource.Trim().ToLowerInvariant();
        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var existing = await db.Clouds.SingleOrDefaultAsync(c => c.Name == name, context.RequestAborted);
        if (source == CloudRules.StaticSource)
        {
            string keyId = body.AccessKeyId?.Trim() ?? string.Empty;
            if (keyId.Length is < 16 or > 128 || !keyId.All(char.IsAsciiLetterOrDigit))
            {
                Error("accessKeyId", "credentialSource static needs accessKeyId: 16 to 128 letters and digits, e.g. AKIAIOSFODNN7EXAMPLE.");
            }

            bool keepsSecret = string.IsNullOrEmpty(body.SecretAccessKey) && existing is { CredentialSource: CloudRules.StaticSource, ProtectedSecretAccessKey: not null } && existing.AccessKeyId == keyId;
            if (!keepsSecret && (body.SecretAccessKey is null || body.SecretAccessKey.Length is < 16 or > 256 || body.SecretAccessKey.Any(char.IsWhiteSpace)))
            {
                Error("secretAccessKey", "credentialSource static needs secretAccessKey (16 to 256 characters, no spaces); it is stored encrypted and never shown again.");
            }

            if (body.SessionToken is { Length: > 8192 })
            {
                Error("sessionToken", "sessionToken is at most 8192 characters.");
            }

            if (body.ProfileName is not null || body.CredentialsFile is not null)
            {
                Error("profileName", "profileName and credentialsFile belong to credentialSource chain.");
            }
        }
        else if (source == CloudRules.ChainSource)
        {
            if (body.AccessKeyId is not null || body.SecretAccessKey is not null || body.SessionToken is not null)
            {
                Error("accessKeyId", "accessKeyId, secretAccessKey and sessionToken belong to credentialSource static.");
            }

            if (body.ProfileName is { } profile && (profile.Length is 0 or > 128 || profile.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            {
                Error("profileName", "profileName is 1 to 128 characters without spaces, as in ~/.aws/config.");
            }

            if (body.CredentialsFile is not null && body.ProfileName is null)
            {
                Error("credentialsFile", "credentialsFile needs profileName: the profile to read from it.");
            }
            else if (body.CredentialsFile is { } file && !Path.IsPathFullyQualified(file))
            {
                Error("credentialsFile", "credentialsFile must be an absolute path.");
            }
        }
        else
        {
            Error("credentialSource", "credentialSource is chain (the AWS SDK's credential chain or a profile) or static (an access key).");
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        bool created = existing is null;
        var entity = existing ?? new CloudEntity { Name = name, CreatedAt = now, CreatedBy = context.User.Identity?.Name };
        entity.Description = string.IsNullOrWhiteSpace(body.Description) ? null : body.Description.Trim();
        entity.Region = region;
        entity.ManagementEndpoint = string.IsNullOrWhiteSpace(body.ManagementEndpoint) ? null : body.ManagementEndpoint.Trim().TrimEnd('/');
        entity.DataEndpoint = string.IsNullOrWhiteSpace(body.DataEndpoint) ? null : body.DataEndpoint.Trim();
        entity.CaPath = string.IsNullOrWhiteSpace(body.CaPath) ? null : body.CaPath;
        entity.CredentialSource = source;
        entity.UpdatedAt = now;
        if (source == CloudRules.StaticSource)
        {
            entity.ProfileName = null;
            entity.CredentialsFile = null;
            entity.AccessKeyId = body.AccessKeyId!.Trim();
            if (!string.IsNullOrEmpty(body.SecretAccessKey))
            {
                entity.ProtectedSecretAccessKey = clouds.Protect(body.SecretAccessKey);
                entity.ProtectedSessionToken = string.IsNullOrEmpty(body.SessionToken) ? null : clouds.Protect(body.SessionToken);
            }
            else if (body.SessionToken is not null)
            {
                entity.ProtectedSessionToken = body.SessionToken.Length == 0 ? null : clouds.Protect(body.SessionToken);
            }
        }
        else
        {
            entity.ProfileName = body.ProfileName;
            entity.CredentialsFile = body.CredentialsFile;
            entity.AccessKeyId = null;
            entity.ProtectedSecretAccessKey = null;
            entity.ProtectedSessionToken = null;
        }

        if (created)
        {
            db.Clouds.Add(entity);
        }

        await db.SaveChangesAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = name;
        var response = ToResponse(entity, clouds);
        return created ? TypedResults.Created($"/api/clouds/{name}", response) : TypedResults.Ok(response);
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteAsync(string name, IDbContextFactory<GatewayDbContext> contexts, HttpContext context)
    {
        if (name == CloudDirectory.LocalName)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["'local' is this gateway's own relay and cannot be deleted."] });
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        int deleted = await db.Clouds.Where(c => c.Name == name).ExecuteDeleteAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = name;
        return deleted == 0 ? NotFound(name) : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<CloudTestResponse>, ProblemHttpResult>> TestAsync(string name, CloudDirectory clouds, CloudApiClient client, HttpContext context)
    {
        var (cloud, error) = await clouds.ResolveAsync(name, context.RequestAborted);
        if (cloud is null)
        {
            return error!.StartsWith("No cloud", StringComparison.Ordinal) ? NotFound(name) : TypedResults.Ok(new CloudTestResponse(false, error, CloudError.NoCredentials, null, 0));
        }

        context.Items[AuditTarget.ItemKey] = name;
        long started = Stopwatch.GetTimestamp();
        var result = await client.ListAsync(cloud, thingName: null, maxResults: 1, nextToken: null, context.RequestAborted);
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return TypedResults.Ok(result.Error is { } failure
            ? new CloudTestResponse(false, failure.Reason, failure.Code, failure.RequestId, elapsed)
            : new CloudTestResponse(true, $"ok: {cloud.ManagementEndpoint} answered ListTunnels, signed with {cloud.Credentials.Describe} for {cloud.Region}", null, null, elapsed));
    }

    private static CloudResponse? Local(CloudDirectory clouds)
    {
        var (local, _) = clouds.ResolveLocal();
        return local is null ? null : new CloudResponse(
            CloudDirectory.LocalName, "This gateway's built-in relay", local.Region, local.ManagementEndpoint.ToString(), local.DataEndpoint!, local.CaPath,
            "gateway", "the gateway's own key (held in memory)", null, null, null, false, false, BuiltIn: true, null, null);
    }

    private static CloudResponse ToResponse(CloudEntity c, CloudDirectory clouds)
    {
        var (resolved, _) = clouds.Resolve(c);
        return new CloudResponse(
            c.Name, c.Description, c.Region,
            c.ManagementEndpoint ?? CloudDirectory.AwsManagementEndpoint(c.Region).ToString(),
            c.DataEndpoint ?? CloudDirectory.AwsDataEndpoint(c.Region),
            c.CaPath,
            c.CredentialSource,
            resolved?.Credentials.Describe ?? "unreadable: set the key again",
            c.ProfileName, c.CredentialsFile, c.AccessKeyId,
            c.ProtectedSecretAccessKey is not null, c.ProtectedSessionToken is not null, BuiltIn: false, c.CreatedAt, c.UpdatedAt);
    }

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Cloud not found", detail: $"No cloud is named '{name}'.");
}
