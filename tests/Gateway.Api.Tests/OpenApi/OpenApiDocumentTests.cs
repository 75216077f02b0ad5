using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.OpenApi;

public sealed partial class OpenApiDocumentTests
{
    private const string DocumentPath = "/swagger/v1/swagger.json";
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task DocumentListsEveryEndpointTheAppMapsUnderApiAndHealthz()
    {
        await using var gateway = await TestGateway.StartAsync();
        var document = await LoadDocumentAsync(gateway);

        var mapped = MappedOperations(gateway).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        var documented = Operations(document)
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}")
            .Where(o => o.Contains(" /api", StringComparison.Ordinal) || o.Contains(" /healthz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains("POST /api/tunnels", mapped);
        Assert.Contains("POST /api/relay/tunnels", mapped);
        Assert.Equal(mapped, documented);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task EveryOperationHasASummaryTagsAndASuccessResponse()
    {
        await using var gateway = await TestGateway.StartAsync();
        var document = await LoadDocumentAsync(gateway);

        foreach (var (path, method, operation) in Operations(document))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{name} has no summary");
            Assert.NotEmpty(operation["tags"]?.AsArray() ?? []);
            var statuses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Contains(statuses, s => s.StartsWith('2'));
        }
    }

    [Fact]
    public async Task ErrorResponsesAreDocumentedAsProblemDetails()
    {
        await using var gateway = await TestGateway.StartAsync();
        var document = await LoadDocumentAsync(gateway);

        var errors = 0;
        foreach (var (path, method, operation) in Operations(document))
        {
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                if (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture) >= 400)
                {
                    errors++;
                    var content = response!["content"]?.AsObject();
                    Assert.True(content?.ContainsKey("application/problem+json") == true, $"{method.ToUpperInvariant()} {path} {status} is not application/problem+json");
                }
            }
        }

        var start = Operation(document, "/api/tunnels", "post");
        Assert.Equal(["201", "400", "401", "403", "409", "415", "502", "503"], start["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Contains("404", Operation(document, "/api/tunnels/{id}", "get")["responses"]!.AsObject().Select(r => r.Key));
        Assert.Contains("404", Operation(document, "/api/relay/tunnels/{id}", "delete")["responses"]!.AsObject().Select(r => r.Key));
        Assert.True(errors >= 10, $"only {errors} error responses documented");
    }

    [Fact]
    public async Task SecuritySchemesAreDeclaredAndRequiredByEveryOperationButAnonymousOnes()
    {
        await using var gateway = await TestGateway.StartAsync();
        var document = await LoadDocumentAsync(gateway);

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("apiKey", (string?)schemes["ApiKey"]!["type"]);
        Assert.Equal("header", (string?)schemes["ApiKey"]!["in"]);
        Assert.Equal("X-Api-Key", (string?)schemes["ApiKey"]!["name"]);
        Assert.Equal("apiKey", (string?)schemes["Cookie"]!["type"]);
        Assert.Equal("cookie", (string?)schemes["Cookie"]!["in"]);
        Assert.Equal("tg_auth", (string?)schemes["Cookie"]!["name"]);

        var operations = MappedOperations(gateway);
        Assert.True(operations["GET /healthz"], "/healthz must stay anonymous (probes carry no credentials)");
        foreach (var (key, anonymous) in operations)
        {
            var (method, path) = (key.Split(' ')[0].ToLowerInvariant(), key.Split(' ')[1]);
            var security = Operation(document, path, method)["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList() ?? [];
            if (anonymous)
            {
                Assert.True(security.Count == 0, $"{key} is anonymous but requires {string.Join(", ", security)}");
            }
            else
            {
                Assert.Equal(["ApiKey", "Cookie"], security.Order(StringComparer.Ordinal));
                Assert.NotNull(Operation(document, path, method)["responses"]!["401"]);
            }
        }
    }

    [Fact]
    public async Task PostsCarryRequestExamplesAndEnumsAreStrings()
    {
        await using var gateway = await TestGateway.StartAsync();
        var document = await LoadDocumentAsync(gateway);

        var startBody = Operation(document, "/api/tunnels", "post")["requestBody"]!["content"]!["application/json"]!;
        Assert.EndsWith("/StartTunnelBody", (string?)startBody["schema"]!["$ref"], StringComparison.Ordinal);
        var examples = startBody["examples"]!.AsObject();
        Assert.Equal("source", (string?)examples["source"]!["value"]!["mode"]);
        Assert.Equal("destination", (string?)examples["destination"]!["value"]!["mode"]);
        Assert.NotNull(examples["source"]!["value"]!["accessToken"]);

        var relayBody = Operation(document, "/api/relay/tunnels", "post")["requestBody"]!["content"]!["application/json"]!;
        Assert.EndsWith("/CreateRelayTunnelBody", (string?)relayBody["schema"]!["$ref"], StringComparison.Ordinal);
        Assert.NotEmpty(relayBody["examples"]!.AsObject());

        var state = document["components"]!["schemas"]!["SessionState"]!;
        Assert.Equal("string", (string?)state["type"]);
        Assert.Contains("Connected", state["enum"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task SwaggerUiServesHtml()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger")).StatusCode);
    }

    private static async Task<JsonNode> LoadDocumentAsync(TestGateway gateway)
    {
        using var client = gateway.CreateClient();
        var response = await client.GetAsync(DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("TunnelGateway API", (string?)document["info"]!["title"]);
        return document;
    }

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (HttpMethods.Contains(method))
                {
                    yield return (path, method, operation!);
                }
            }
        }
    }

    private static JsonNode Operation(JsonNode document, string path, string method) =>
        document["paths"]?[path]?[method] ?? throw new Xunit.Sdk.XunitException($"{method.ToUpperInvariant()} {path} is not in the document");

    /// <summary>"METHOD /path/{param}" of every endpoint the app maps under /api and /healthz, except those excluded from the description.</summary>
    private static Dictionary<string, bool> MappedOperations(TestGateway gateway)
    {
        var operations = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var endpoint in gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText?.Trim('/') ?? string.Empty, "{$1}");
            if (!(path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api" || path == "/healthz")
                || endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true }
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods)
            {
                continue;
            }

            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            foreach (var method in methods.HttpMethods)
            {
                operations[$"{method.ToUpperInvariant()} {path}"] = anonymous;
            }
        }

        return operations;
    }

    // {id:int}, {id?}, {*rest} and {id=default} are all {id} in the document.
    [GeneratedRegex(@"\{\**([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
