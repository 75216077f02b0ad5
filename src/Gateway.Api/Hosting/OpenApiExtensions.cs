using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Api.Auth;
using Gateway.Api.Relay;
using Gateway.Api.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Gateway.Api.Hosting;

/// <summary>
/// The OpenAPI document (<c>/swagger/v1/swagger.json</c>) and Swagger UI (<c>/swagger</c>), in every
/// environment: operators use them on the bastion. Summaries, tags and response types come from the
/// endpoints' metadata (TypedResults, <c>ProducesProblem</c>); field descriptions from the XML doc
/// comments of Gateway.Api.
/// </summary>
internal static class OpenApiExtensions
{
    public const string DocumentName = "v1";
    public const string ApiKeyScheme = "ApiKey";
    public const string CookieScheme = "Cookie";

    /// <summary>The dashboard's script that gives Swagger UI's requests the anti-forgery header of the login cookie.</summary>
    public const string SwaggerCsrfScript = "/js/swagger-csrf.js";

    // The names the authentication handlers use, so the document cannot drift from them.
    public const string ApiKeyHeader = ApiKeys.HeaderName;
    public const string AuthCookie = AuthExtensions.CookieName;

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "TunnelGateway API",
                Version = DocumentName,
                Description = "Runs AWS IoT Secure Tunneling local-proxy sessions (`/api/tunnels`: one tunnel end each, source or "
                    + "destination) and manages tunnels of the built-in, AWS-compatible relay (`/api/relay/tunnels`), whose "
                    + "WebSocket endpoint is `wss://<gateway>/tunnel`. Answers never carry an access token, except the one "
                    + "that creates a relay tunnel. Every error is an RFC 9457 ProblemDetails (`application/problem+json`); "
                    + "invalid input names each field in `errors`.",
            });

            // The two ways the authentication accepts a call; either one is enough.
            swagger.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyHeader,
                Description = $"An API key in the `{ApiKeyHeader}` header (scripts, CI, this page's Authorize button).",
            });
            swagger.AddSecurityDefinition(CookieScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = AuthCookie,
                Description = $"The `{AuthCookie}` login cookie set by `POST /api/auth/login` (the dashboard). A change made with it "
                    + $"also needs the `{CookieAntiforgeryMiddleware.HeaderName}` header, whose value `GET /api/auth/me` gives; "
                    + "this page adds it to \"Try it out\" by itself while you are logged in to the dashboard.",
            });
            swagger.AddOperationFilterInstance(new SecurityRequirementsFilter());
            swagger.AddOperationFilterInstance(new RequestExamplesFilter());

            // The reference's settings JSON is free-form (only the keys given change).
            swagger.MapType<JsonElement>(() => new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalPropertiesAllowed = true });
            swagger.SupportNonNullableReferenceTypes();

            // An anonymous type's default id ("String<>f__AnonymousType1") is not a valid component name.
            var defaultIds = new SchemaGeneratorOptions().SchemaIdSelector;
            swagger.CustomSchemaIds(type => type.Name.Contains("AnonymousType", StringComparison.Ordinal)
                ? "Anonymous" + string.Concat(type.GetProperties().Select(p => char.ToUpperInvariant(p.Name[0]) + p.Name[1..]))
                : defaultIds(type));

            // Absent when the XML file was not deployed: the document then lacks field descriptions only.
            var xml = Path.Combine(AppContext.BaseDirectory, $"{typeof(OpenApiExtensions).Assembly.GetName().Name}.xml");
            if (File.Exists(xml))
            {
                swagger.IncludeXmlComments(xml);
            }
        });

        // Schemas follow the API's own serializer options (ConfigureHttpJsonOptions: camelCase,
        // string enums); Swashbuckle reads them itself.
        return services;
    }

    /// <summary>After authentication: the document and the UI need a login like the API (the dashboard's cookie or an API key).</summary>
    public static WebApplication UseGatewayOpenApi(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (context, next) =>
            {
                if (context.User.Identity?.IsAuthenticated != true)
                {
                    await context.ChallengeAsync();
                    return;
                }

                await next(context);
            }));
        app.UseSwagger();
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "TunnelGateway API v1");
            ui.RoutePrefix = "swagger";
            ui.DocumentTitle = "TunnelGateway API";

            // "Try it out" with the dashboard's login: adds the anti-forgery header to changes (a
            // same-origin file, as the CSP allows no inline or eval'd script, so no requestInterceptor string).
            ui.InjectJavascript(SwaggerCsrfScript);
        });
        return app;
    }

    /// <summary>
    /// Every operation needs the API key or the cookie, except those marked <c>AllowAnonymous</c>
    /// (liveness, login): the same rule as the authorization's fallback policy. Such an operation
    /// can also answer 401 (no valid key or cookie) and, below the role it needs, 403.
    /// </summary>
    private sealed class SecurityRequirementsFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var description = context.ApiDescription;
            if (description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                return;
            }

            // Two requirements: either scheme alone is enough (one requirement naming both would mean both).
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, context.Document)] = [] });

            var role = GatewayRoleHandler.RequiredRole(description.HttpMethod ?? "GET", new PathString("/" + description.RelativePath));
            operation.Responses ??= [];
            operation.Responses.TryAdd("401", Problem(context, $"Not logged in: no valid `{ApiKeyHeader}` header or `{AuthCookie}` cookie."));
            if (role != Roles.Viewer)
            {
                operation.Responses.TryAdd("403", Problem(context, $"Logged in without the `{role}` role this call needs."));
            }
        }

        private static OpenApiResponse Problem(OperationFilterContext context, string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                ["application/problem+json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository) },
            },
        };
    }

    /// <summary>Named request examples for the two POSTs, built from the body records so they stay in step.</summary>
    private sealed class RequestExamplesFilter : IOperationFilter
    {
        private static readonly JsonSerializerOptions ExampleJson = new(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        private static readonly Dictionary<string, (string Name, string Summary, object Body)[]> Examples = new(StringComparer.Ordinal)
        {
            ["StartTunnel"] =
            [
                ("source", "Source end: local port 2222 into the tunnel (built-in relay)", new StartTunnelBody
                {
                    Name = "ssh-lab-source", Mode = "source", Endpoint = "wss://127.0.0.1:5443", AccessToken = "<sourceAccessToken>",
                    Services = "SSH=2222", CaPath = "./data/tls/ca",
                }),
                ("destination", "Destination end: the tunnel's SSH streams to 127.0.0.1:22 (built-in relay)", new StartTunnelBody
                {
                    Name = "ssh-lab-destination", Mode = "destination", Endpoint = "wss://127.0.0.1:5443", AccessToken = "<destinationAccessToken>",
                    Services = "SSH=127.0.0.1:22", CaPath = "./data/tls/ca",
                }),
                ("aws-source", "Source end against AWS IoT Secure Tunneling (us-east-1)", new StartTunnelBody
                {
                    Mode = "source", Region = "us-east-1", AccessToken = "<sourceAccessToken>", Services = "SSH=2222",
                }),
            ],
            ["CreateRelayTunnel"] =
            [
                ("ssh-and-web", "Two services, one hour", new CreateRelayTunnelBody(["SSH", "WEB"], 60, "lab")),
                ("single-service", "One service, default lifetime (720 minutes)", new CreateRelayTunnelBody(["SSH"], null, null)),
            ],
        };

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.OperationId is not { } id || !Examples.TryGetValue(id, out var examples)
                || operation.RequestBody?.Content is not { } content || !content.TryGetValue("application/json", out var media))
            {
                return;
            }

            media.Examples ??= new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal);
            foreach (var (name, summary, body) in examples)
            {
                media.Examples[name] = new OpenApiExample { Summary = summary, Value = JsonSerializer.SerializeToNode(body, body.GetType(), ExampleJson) };
            }
        }
    }
}
