using System.Text.RegularExpressions;
using Gateway.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>The agents page in a real browser: the API's 400 next to its field, an agent's live state, edit and delete.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AgentsPageTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task AnAdminAddsAnAgentWhoseBrokerIsDown_ItsStateAndErrorShowLive_EditAndDelete()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;
        await page.Locator("#nav a[data-nav=\"agents\"]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/agents$"));

        // Nothing listens on this port: the agent keeps trying, and says why.
        int closedPort = global::Gateway.Testing.Tcp.FreePort();
        await page.Locator("#agent-name").FillAsync("door-4");
        await page.Locator("#agent-thingName").FillAsync("door-4");
        await page.Locator("#agent-host").FillAsync("127.0.0.1");
        await page.Locator("#agent-port").FillAsync(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#agent-tls").UncheckAsync();
        await page.Locator("#agent-services").FillAsync("SSH=127.0.0.1:99999");
        await page.Locator("#agent-submit").ClickAsync();
        await Expect(page.Locator("#agent-form [data-error-for=\"services\"]")).ToContainTextAsync("SSH");

        await page.Locator("#agent-services").FillAsync("SSH=127.0.0.1:22");
        await page.Locator("#agent-submit").ClickAsync();
        var row = page.Locator("tr[data-agent=\"door-4\"]");
        await Expect(row).ToContainTextAsync($"mqtt://127.0.0.1:{closedPort}");
        await Expect(row.Locator("[data-field=\"state\"] .state")).ToHaveTextAsync("disconnected");
        await Expect(row.Locator("[data-field=\"lastError\"]")).Not.ToBeEmptyAsync();
        await Expect(row.Locator("[data-field=\"notification\"]")).ToContainTextAsync("none yet");

        await row.Locator("button[data-edit-agent=\"door-4\"]").ClickAsync();
        await Expect(page.Locator("#agent-services")).ToHaveValueAsync("SSH=127.0.0.1:22");
        await Expect(page.Locator("#agent-tls")).Not.ToBeCheckedAsync();

        var delete = row.Locator("button[data-delete-agent=\"door-4\"]");
        await delete.ClickAsync();
        await Expect(delete).ToHaveTextAsync("Really delete?");
        await delete.ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        dashboard.AssertNoErrors();
    }
}
