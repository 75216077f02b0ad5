using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>Logging in, a form's validation errors, and what a viewer does not get.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task LoginWithTheAdminPasswordOpensTheSessionsPage()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();

        await Expect(dashboard.Page.Locator("#sessions-table, #sessions-empty").First).ToBeAttachedAsync();
        await Expect(dashboard.Page.Locator("#user-name")).ToHaveTextAsync(TestGateway.AdminUser);
        await Expect(dashboard.Page.Locator("#user-role")).ToHaveTextAsync("admin");
        await Expect(dashboard.Page.Locator("#live-status")).ToHaveAttributeAsync("data-status", "live");
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task LoginWithAWrongPasswordShowsAnErrorAndStaysOnTheLoginPage()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.SubmitLoginAsync(TestGateway.AdminUser, "not-the-password-at-all");

        var error = dashboard.Page.Locator("#login-error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToContainTextAsync("wrong password");
        await Expect(dashboard.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/login$"));
        await Expect(dashboard.Page.Locator("#nav")).ToBeHiddenAsync();
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task StartFormShowsTheApiErrorNextToTheServicesField()
    {
        const string BadServices = "SSH=not-a-port";
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/start");
        var page = dashboard.Page;

        await page.Locator("#start-from-inline").CheckAsync();
        await page.Locator("#start-mode").SelectOptionAsync("source");
        await page.Locator("#start-endpoint").FillAsync(Gateway.RelayEndpoint);
        await page.Locator("#start-accessToken").FillAsync("some-access-token");
        await page.Locator("#start-services").FillAsync(BadServices);
        await page.Locator("#start-submit").ClickAsync();

        // The message is the API's own: the same body to POST /api/tunnels answers it for `services`.
        string expected = await ApiErrorAsync(new { mode = "source", endpoint = Gateway.RelayEndpoint, accessToken = "some-access-token", services = BadServices }, "services");
        var error = page.Locator("[data-error-for=\"services\"]");
        await Expect(error).ToHaveTextAsync(expected);
        await Expect(page.Locator("#start-services")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/start$"));
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task StartFormLimitsGoIntoTheSettingsAndTheSessionPageShowsThem()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/start");
        var page = dashboard.Page;
        await page.Locator("#start-from-inline").CheckAsync();
        await page.Locator("#start-mode").SelectOptionAsync("destination");
        await page.Locator("#start-endpoint").FillAsync(Gateway.RelayEndpoint);
        await page.Locator("#start-services").FillAsync("SSH=127.0.0.1:22");

        // Too small a cap: the API names the setting, and the error sits next to its field.
        await page.Locator("#start-accessToken").FillAsync("some-access-token");
        await page.Locator("#start-limit-sessionBandwidthToTunnel").FillAsync("10");
        await page.Locator("#start-submit").ClickAsync();
        string expected = await ApiErrorAsync(new
        {
            mode = "destination",
            endpoint = Gateway.RelayEndpoint,
            accessToken = "some-access-token",
            services = "SSH=127.0.0.1:22",
            settings = new { tunneling = new { proxy = new { limits = new { session_bytes_per_second_to_tunnel = "10" } } } },
        }, "settings.sessionBandwidthToTunnel");
        await Expect(page.Locator("[data-error-for=\"settings.sessionBandwidthToTunnel\"]")).ToHaveTextAsync(expected);

        // Valid caps: the session starts with them and its page lists them.
        await page.Locator("#start-accessToken").FillAsync("some-access-token");
        await page.Locator("#start-limit-sessionBandwidthToTunnel").FillAsync("2000000");
        await page.Locator("#start-limit-maxSessionConnections").FillAsync("3");
        await page.Locator("#start-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/sessions/"));
        var limits = page.Locator("dd[data-field=\"limits\"]");
        await Expect(limits).ToContainTextAsync("3 connections");
        await Expect(limits).ToContainTextAsync("↑");
        await Expect(page.Locator("dd[data-field=\"throttled\"]")).ToContainTextAsync("refused 0");
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task ViewerSeesSessionsAndRelayButNoStopStartRotateOrAwsKeys()
    {
        const string ViewerPassword = "viewer-password-0123";
        await Gateway.CreateUserAsync("viewer1", ViewerPassword, "viewer");
        using var echo = EchoServer.Start();
        var tunnel = await DemoTunnel.OpenAsync(Gateway, echo.Port);

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync("viewer1", ViewerPassword);
        var page = dashboard.Page;
        await Expect(page.Locator("#user-role")).ToHaveTextAsync("viewer");
        await Expect(page.Locator("#nav a[data-nav=\"relay\"]")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav a[data-nav=\"aws-keys\"]")).ToHaveCountAsync(0);

        // The list: the session is there, live, but nothing to start or stop it with.
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("#start-session-link")).ToHaveCountAsync(0);
        await Expect(page.Locator("a[href=\"#/start\"]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-stop-session]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-requires]")).ToHaveCountAsync(0);

        // The session's page: its state, no stop, no connection reset.
        await dashboard.GoToAsync($"#/sessions/{tunnel.SourceSessionId}");
        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("#stop-session")).ToHaveCountAsync(0);
        await Expect(page.Locator("button[data-reset-connection]")).ToHaveCountAsync(0);

        // The start page says why instead of showing the form; the relay page has no demo button (admin).
        await dashboard.GoToAsync("#/start");
        await Expect(page.Locator("#view")).ToContainTextAsync("operator");
        await Expect(page.Locator("#start-submit")).ToHaveCountAsync(0);
        await dashboard.GoToAsync("#/relay");
        await Expect(page.Locator($"tr[data-tunnel-id=\"{tunnel.TunnelId}\"]").Locator("[data-state=\"source\"]")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("#open-demo-tunnel")).ToHaveCountAsync(0);
        await Expect(page.Locator("#open-tunnel-form")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-rotate-tunnel], [data-close-tunnel]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-requires]")).ToHaveCountAsync(0);

        // The AWS keys page (admin) is not in the navigation, and its address says why.
        await dashboard.GoToAsync("#/aws-keys");
        await Expect(page.Locator("#view")).ToContainTextAsync("needs the admin role");
        await Expect(page.Locator("#awskey-form")).ToHaveCountAsync(0);
        dashboard.AssertNoErrors();
    }

    private async Task<string> ApiErrorAsync(object body, string field)
    {
        using var client = Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/tunnels", body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, (int)response.StatusCode);
        return string.Join(' ', problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
    }
}
