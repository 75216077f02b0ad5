using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Hosting;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.OpenApi;

/// <summary>
/// Swagger UI's "Try it out" with the login cookie: the page loads the same-origin script that adds the
/// anti-forgery header, and the way that script works (token from GET /api/auth/me on a cookie login,
/// sent as X-CSRF-TOKEN) makes a change succeed. The browser side is in Gateway.Web.Tests.
/// </summary>
public sealed class SwaggerTryItOutTests
{
    [Fact]
    public async Task SwaggerUiLoadsTheAntiforgeryScriptAndItsMechanismMakesACookieChangeSucceed()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var browser = gateway.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword })).StatusCode);

        // The UI page, as the logged-in browser gets it, loads the script from this origin (the CSP allows 'self' only).
        using (var index = await browser.GetAsync("/swagger/index.html"))
        {
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            string html = await index.Content.ReadAsStringAsync();
            Assert.True(html.Contains(OpenApiExtensions.SwaggerCsrfScript, StringComparison.Ordinal), html);
            Assert.Contains("script-src 'self';", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        // What the script does: without the header the change is refused; with the token of GET /api/auth/me it is made.
        using (var refused = await browser.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("anti-forgery", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        string token = (await browser.GetFromJsonAsync<JsonElement>("/api/auth/me")).GetProperty("csrfToken").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/relay/tunnels") { Content = JsonContent.Create(new { services = new[] { "SSH" } }) };
        request.Headers.Add("X-CSRF-TOKEN", token);
        using var created = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
