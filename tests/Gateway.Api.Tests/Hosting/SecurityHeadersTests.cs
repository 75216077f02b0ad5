using System.Net;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hosting;

/// <summary>Every answer, the dashboard's files and API errors included, carries the strict Content-Security-Policy.</summary>
public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/js/app.js", HttpStatusCode.OK)]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/api/tunnels/no-such-session", HttpStatusCode.NotFound)]
    public async Task AnswersCarryTheStrictPolicy(string path, HttpStatusCode status)
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        string policy = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task SwaggerUiAloneMayUseInlineStylesButNeverInlineScripts()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string policy = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("style-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
    }
}
