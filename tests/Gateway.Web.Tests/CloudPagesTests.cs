using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>
/// The "Open a tunnel" page, the clouds page and a cloud's tunnels page in a real browser, against the
/// built-in relay as the cloud <c>local</c>.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class CloudPagesTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task OpenATunnelLandsOnTheLiveSession_TheCloudsPagesTestListAndCloseIt()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/open");
        var page = dashboard.Page;

        // The API's 400 lands next to its field.
        await Expect(page.Locator("#opencloud-cloud option[value=\"local\"]")).ToBeAttachedAsync();
        await page.Locator("#opencloud-ports").FillAsync("SSH=2222");
        await page.Locator("#opencloud-submit").ClickAsync();
        await Expect(page.Locator("#opencloud-form [data-error-for=\"open.services\"]")).ToContainTextAsync("open.services is required");

        int port = FreePort();
        await page.Locator("#opencloud-services").FillAsync("SSH");
        await page.Locator("#opencloud-thingName").FillAsync("pump-9");
        await page.Locator("#opencloud-ports").FillAsync($"SSH={port}");
        await page.Locator("#opencloud-bindAddress").FillAsync("127.0.0.1");
        await page.Locator("#opencloud-submit").ClickAsync();

        // No destination here: its token is shown once, and it works.
        var box = page.Locator("#opencloud-secret");
        await Expect(box.Locator("[data-once-notice]")).ToContainTextAsync("shown only now");
        string token = (await box.Locator("[data-secret=\"destinationAccessToken\"]").TextContentAsync())!;
        await using (var destination = await RelayEnd.ConnectAsync(Gateway, "destination", token))
        {
            await page.Locator("#opencloud-go-session").ClickAsync();
            await Expect(page.Locator("[data-field=\"tunnel\"]")).ToContainTextAsync("local");
            await Expect(page.Locator("[data-field=\"tunnel\"]")).ToContainTextAsync("opened by this gateway");
            Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
            string tunnelId = (await page.Locator("[data-field=\"tunnel\"] code").TextContentAsync())!;

            // The clouds page tests local; its tunnels page shows both ends and closes the tunnel.
            await dashboard.GoToAsync("#/clouds");
            await page.Locator("button[data-test-cloud=\"local\"]").ClickAsync();
            await Expect(page.Locator("[data-test-result=\"local\"]")).ToContainTextAsync("ok");
            await page.Locator("tr[data-cloud=\"local\"] a", new() { HasTextString = "Tunnels" }).ClickAsync();
            var row = page.Locator($"tr[data-tunnel=\"{tunnelId}\"]");
            await Expect(row.Locator("[data-field=\"status\"]")).ToHaveTextAsync("OPEN");
            await Expect(row.Locator("[data-field=\"source\"]")).ToHaveTextAsync("connected");
            await Expect(row.Locator("[data-field=\"destination\"]")).ToHaveTextAsync("connected");
            await dashboard.ScreenshotAsync("cloud-tunnels-1280", fullPage: true);
            await row.Locator($"button[data-close-tunnel=\"{tunnelId}\"]").ClickAsync();
            await row.Locator($"button[data-close-tunnel=\"{tunnelId}\"]").ClickAsync();
            await Expect(page.Locator($"tr[data-tunnel=\"{tunnelId}\"] [data-field=\"status\"]")).ToHaveTextAsync("CLOSED");
        }

        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task ACloudsTunnelsPageRotatesATokenShownOnceWithItsCopyButton_AndConnectsTheSourceEndHere()
    {
        var created = await Gateway.CreateTunnelAsync(["SSH"]);
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/clouds/local");
        var page = dashboard.Page;
        var row = page.Locator($"tr[data-tunnel=\"{created.TunnelId}\"]");
        await Expect(row.Locator("[data-field=\"status\"]")).ToHaveTextAsync("OPEN");

        // Rotate the destination's token: shown once, with a copy button, and it works.
        await row.Locator($"select[data-rotate-mode=\"{created.TunnelId}\"]").SelectOptionAsync("DESTINATION");
        await row.Locator($"button[data-rotate=\"{created.TunnelId}\"]").ClickAsync();
        var box = page.Locator("#cloudtunnels-secret");
        await Expect(box.Locator("[data-once-notice]")).ToContainTextAsync("shown only now");
        await Expect(box.Locator("button[data-copy=\"destinationAccessToken\"]")).ToBeVisibleAsync();
        await Expect(box.Locator("[data-secret=\"sourceAccessToken\"]")).ToHaveCountAsync(0);
        string token = (await box.Locator("[data-secret=\"destinationAccessToken\"]").TextContentAsync())!;
        Assert.NotEqual(created.DestinationAccessToken, token);
        await box.Locator("button[data-hide-secrets]").ClickAsync();
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        await using var destination = await RelayEnd.ConnectAsync(Gateway, "destination", token);

        // Connect: the SOURCE token is rotated and the session started here; the page lands on it.
        await row.Locator($"button[data-connect=\"{created.TunnelId}\"]").ClickAsync();
        var form = page.Locator($"form[data-connect-form=\"{created.TunnelId}\"]");
        await form.Locator("input[name=\"services\"]").FillAsync($"SSH={FreePort()}");
        await form.Locator("button[type=\"submit\"]").ClickAsync();
        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("[data-field=\"tunnel\"]")).ToContainTextAsync(created.TunnelId);
        string sessionId = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        await dashboard.GoToAsync("#/clouds/local");
        await Expect(row.Locator("[data-field=\"source\"]")).ToHaveTextAsync("connected");
        await Expect(row.Locator("[data-field=\"destination\"]")).ToHaveTextAsync("connected");
        await Expect(row.Locator("a", new() { HasTextString = "session" })).ToBeVisibleAsync();
        dashboard.AssertNoErrors();

        using var client = Gateway.CreateClient();
        using var stopped = await client.DeleteAsync($"/api/tunnels/{sessionId}");
        Assert.Equal(System.Net.HttpStatusCode.OK, stopped.StatusCode);
    }

    [Fact]
    public async Task StoppingFromTheSessionPageClosesTheTunnelTheGatewayOpened()
    {
        using var client = Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/tunnels", new { open = new { cloud = "local", services = new[] { "SSH" } }, services = $"SSH={FreePort()}", bindAddress = "127.0.0.1" });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, text);
        var opened = JsonDocument.Parse(text).RootElement;
        string sessionId = opened.GetProperty("session").GetProperty("id").GetString()!;
        string tunnelId = opened.GetProperty("tunnel").GetProperty("tunnelId").GetString()!;

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync($"#/sessions/{sessionId}");
        var page = dashboard.Page;
        await Expect(page.Locator("[data-field=\"tunnel\"]")).ToContainTextAsync("opened by this gateway");
        await page.Locator("#stop-session").ClickAsync();
        await Expect(page.Locator("#stop-session")).ToHaveTextAsync("Really stop?");
        await page.Locator("#stop-session").ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Session stopped.");
        Assert.Equal("Closed", (await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task ASessionEndedByASpentTokenIsStartedAgainFromItsPageWithANewOne()
    {
        var created = await Gateway.CreateTunnelAsync(["SSH"]);
        await using (var first = await RelayEnd.ConnectAsync(Gateway, "destination", created.DestinationAccessToken))
        {
        }

        using var client = Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/tunnels", new { mode = "destination", endpoint = Gateway.RelayEndpoint, caPath = Gateway.CaDirectory, accessToken = created.DestinationAccessToken, services = "SSH=127.0.0.1:9" });
        response.EnsureSuccessStatusCode();
        string id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Gateway.WaitForSessionAsync(id, s => s.GetProperty("state").GetString() == "Failed");

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync($"#/sessions/{id}");
        var page = dashboard.Page;
        await Expect(page.Locator("#session-reason")).ToContainTextAsync("the token was spent");
        await Expect(page.Locator("#session-token-box")).ToBeVisibleAsync();
        await Expect(page.Locator("#session-rotate-token")).ToBeHiddenAsync();

        using var rotated = await client.PostAsJsonAsync($"/api/relay/tunnels/{created.TunnelId}/rotate", new { ends = "DESTINATION" });
        string fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("destinationAccessToken").GetString()!;
        await page.Locator("#session-new-token").FillAsync(fresh);
        await page.Locator("#session-use-token").ClickAsync();
        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("#session-token-box")).ToBeHiddenAsync();
        Assert.Equal(string.Empty, await page.Locator("#session-new-token").InputValueAsync());
        dashboard.AssertNoErrors();
    }

    private static int FreePort() => global::Gateway.Testing.Tcp.FreePort();
}
