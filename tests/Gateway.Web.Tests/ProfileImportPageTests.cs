using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>Issue 19: the profiles page imports a reference --config file with its --settings-json file and says what it skipped.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ProfileImportPageTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task ImportingAProcessConfigWithItsSettingsFileSaysWhichLinesWereSkipped()
    {
        string name = "imported-" + Guid.NewGuid().ToString("n")[..8];
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/profiles");

        var form = dashboard.Page.Locator("#import-config-form");
        await dashboard.Page.Locator("summary", new PageLocatorOptions { HasText = "Import a reference localproxy --config file" }).ClickAsync();
        await form.Locator("#import-config-name").FillAsync(name);
        await form.Locator("#import-config-file").SetInputFilesAsync(new FilePayload
        {
            Name = "localproxy.ini",
            MimeType = "text/plain",
            Buffer = Encoding.UTF8.GetBytes("region = us-east-1\nverbose = 5\nsource-listen-port = SSH=5555\nsettings-json = /etc/localproxy/settings.json\n"),
        });
        await form.Locator("#import-config-settingsJson").SetInputFilesAsync(new FilePayload
        {
            Name = "settings.json",
            MimeType = "application/json",
            Buffer = Encoding.UTF8.GetBytes("{\"tunneling\": {\"proxy\": {\"websocket\": {\"ping_period_ms\": \"9000\"}}}}"),
        });
        await form.Locator("button[type=submit]").ClickAsync();

        await Expect(dashboard.Page.Locator("#toasts")).ToContainTextAsync($"Profile {name} imported.");
        await Expect(dashboard.Page.Locator("#toasts")).ToContainTextAsync("Ignored verbose (line 2), settings-json (line 4)");

        using var api = Gateway.CreateClient();
        var profiles = await api.GetFromJsonAsync<JsonElement>("/api/profiles");
        var profile = profiles.EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        Assert.Equal("9000", profile.GetProperty("settings").GetProperty("tunneling").GetProperty("proxy").GetProperty("websocket").GetProperty("ping_period_ms").GetString());
        dashboard.AssertNoErrors();
    }
}
