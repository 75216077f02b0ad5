using Gateway.Api.Auth;
using Gateway.Api.Clouds;
using Gateway.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Agents;

/// <summary>
/// <c>/api/agents</c>: the things this gateway is the tunnel destination for, each listening on its
/// MQTT notify topic. Reading needs viewer, changes admin (GatewayRoleHandler); secrets are never returned.
/// </summary>
internal static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/agents").WithTags("Agents");
        group.MapGet("/", ListAsync).WithName("ListAgents").WithSummary("List agents with their connection state; never a key or password");
        group.MapGet("/{name}", GetAsync).WithName("GetAgent").WithSummary("One agent").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}", PutAsync).WithName("PutAgent")
            .WithSummary("Create or replace an agent (admin); it (re)connects to its broker at once")
            .WithDescription("The client certificate, its key and the password are stored encrypted and never returned; omit them to keep the stored ones.");
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteAgent")
            .WithSummary("Delete an agent (admin): it disconnects; its current destination session keeps running")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<Ok<List<AgentResponse>>> ListAsync(AgentRuntime runtime, IDbContextFactory<GatewayDbContext> contexts, AgentSecrets secrets, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agents = await db.Agents.AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(agents.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => ToResponse(a, runtime, secrets)).ToList());
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> GetAsync(string name, AgentRuntime runtime, IDbContextFactory<GatewayDbContext> contexts, AgentSecrets secrets, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancellationToken);
        return entity is null ? NotFound(name) : TypedResults.Ok(ToResponse(entity, runtime, secrets));
    }

    private static async Task<Results<Ok<AgentResponse>, Created<AgentResponse>, ValidationProblem>> PutAsync(
        string name, AgentBody? body, AgentRuntime runtime, AgentSecrets secrets, IDbContextFactory<GatewayDbContext> contexts, TimeProvider time, HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CloudRules.Name().IsMatch(name))
        {
            errors["name"] = ["An agent's name is 1 to 64 of lower-case letters, digits and '-', starting with a letter or digit."];
        }

        if (body is null)
        {
            errors["body"] = ["A JSON body is required, e.g. {\"thingName\":\"pump-17\",\"host\":\"abc123-ats.iot.eu-west-1.amazonaws.com\",\"services\":\"SSH=127.0.0.1:22\",\"clientCertificatePem\":\"...\",\"clientKeyPem\":\"...\"}."];
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        var existing = await db.Agents.SingleOrDefaultAsync(a => a.Name == name, context.RequestAborted);
        var checkedBody = AgentRules.Check(body, existing, secrets, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        bool created = existing is null;
        var entity = existing ?? new AgentEntity { Name = name, CreatedAt = now, CreatedBy = context.User.Identity?.Name };
        checkedBody.ApplyTo(entity, secrets);
        entity.UpdatedAt = now;
        if (created)
        {
            db.Agents.Add(entity);
        }

        await db.SaveChangesAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = name;
        await runtime.ReloadAsync(name, context.RequestAborted);
        var response = ToResponse(entity, runtime, secrets);
        return created ? TypedResults.Created($"/api/agents/{name}", response) : TypedResults.Ok(response);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, AgentRuntime runtime, IDbContextFactory<GatewayDbContext> contexts, HttpContext context)
    {
        await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
        int deleted = await db.Agents.Where(a => a.Name == name).ExecuteDeleteAsync(context.RequestAborted);
        context.Items[AuditTarget.ItemKey] = name;
        await runtime.ReloadAsync(name, context.RequestAborted);
        return deleted == 0 ? NotFound(name) : TypedResults.NoContent();
    }

    private static AgentResponse ToResponse(AgentEntity a, AgentRuntime runtime, AgentSecrets secrets)
    {
        string? subject = null;
        DateTimeOffset? notAfter = null;
        string? thumbprint = null;
        if (secrets.Unprotect(a.ProtectedClientCertificate, out _) is { } pem)
        {
            try
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
                (subject, notAfter, thumbprint) = (certificate.Subject, certificate.NotAfter.ToUniversalTime(), certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                subject = "unreadable";
            }
        }

        return new AgentResponse(
            a.Name, a.Description, a.ThingName, AgentRules.NotifyTopic(a.ThingName), a.Host, a.Port, a.UseTls, a.CaPem is not null, a.CaPath,
            a.ProtectedClientCertificate is not null, subject, notAfter, thumbprint, a.UserName, a.ProtectedPassword is not null,
            a.ClientId ?? a.ThingName, a.Services, a.DataEndpoint, a.Enabled, a.CreatedAt, a.UpdatedAt, runtime.Status(a.Name));
    }

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Agent not found", detail: $"No agent is named '{name}'.");
}
