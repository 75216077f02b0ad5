using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>Swagger UI's "Try it out" with the dashboard's login cookie, in a real browser: changes carry the anti-forgery header.</summary>
[Collection(DashboardCollection.Name)]
public sealed class SwaggerTryItOutTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task ALoggedInUserCreatesARelayTunnelWithTryItOut()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;
        int before = (await ListRelayTunnelsAsync()).GetArrayLength();

        await page.GotoAsync("/swagger/index.html");
        var operation = page.Locator("#operations-Relay_tunnels-CreateRelayTunnel");
        await operation.Locator(".opblock-summary-control").ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        var request = page.WaitForRequestAsync(r => r.Method == "POST" && r.Url.EndsWith("/api/relay/tunnels", StringComparison.Ordinal));
        await operation.Locator("button.execute").ClickAsync();

        // The request carried the header (taken from GET /api/auth/me), and the gateway created the tunnel.
        var sent = await request;
        Assert.False(string.IsNullOrEmpty(await sent.HeaderValueAsync("x-csrf-token")), "Try it out sent no X-CSRF-TOKEN");
        await Expect(operation.Locator(".live-responses-table tr.response .response-col_status")).ToHaveTextAsync("201");
        Assert.Equal(before + 1, (await ListRelayTunnelsAsync()).GetArrayLength());
        await dashboard.ScreenshotAsync("swagger-try-it-out-1280");

        dashboard.AssertNoErrors();
    }

    private async Task<JsonElement> ListRelayTunnelsAsync()
    {
        using var client = Gateway.CreateClient();
        return (await client.GetFromJsonAsync<JsonElement>("/api/relay/tunnels")).Clone();
    }
}
