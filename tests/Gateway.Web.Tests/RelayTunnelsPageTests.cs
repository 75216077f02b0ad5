using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>
/// The relay page's "open a tunnel" and rotate controls, and the AWS keys page, in a real browser.
/// The relay allows <see cref="RelayQuotaGatewayFixture.MaxOpenTunnels"/> open tunnels: the tunnel
/// test opens that many and then sees the quota's answer.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class RelayTunnelsPageTests(RelayQuotaGatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<RelayQuotaGatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task OpenTunnelFormShowsTokensOnceWithAWorkingAwsCommandRotateGivesAWorkingTokenAndTheQuotaIsAMessage()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/relay");
        var page = dashboard.Page;

        // The API's 400 lands next to the fields; a tag's error names its line.
        await page.Locator("#open-thingName").FillAsync("pump 17");
        await page.Locator("#open-tags").FillAsync("env=lab\nbad#key=x");
        await page.Locator("#open-tunnel-submit").ClickAsync();
        await Expect(page.Locator("#open-tunnel-form [data-error-for=\"thingName\"]")).ToContainTextAsync("Thing name must be 1 to 128");
        await Expect(page.Locator("#open-tunnel-form [data-error-for=\"tags\"]")).ToContainTextAsync("Line 2: Tag key must contain only");
        await Expect(page.Locator("#open-thingName")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#relay-tokens")).ToBeHiddenAsync();

        await page.Locator("#open-services").FillAsync("SSH");
        await page.Locator("#open-thingName").FillAsync("pump-17");
        await page.Locator("#open-description").FillAsync("Pump 17's lab");
        await page.Locator("#open-lifetimeMinutes").FillAsync("60");
        await page.Locator("#open-tags").FillAsync("env=lab\nsite=plant-2");
        await page.Locator("#open-tunnel-submit").ClickAsync();

        // The tokens, once, with the notice, copy buttons and the AWS CLI line (no secret in it).
        var box = page.Locator("#relay-tokens");
        await Expect(box).ToBeVisibleAsync();
        await Expect(box.Locator("[data-once-notice]")).ToContainTextAsync("shown only now");
        await Expect(box.Locator("button[data-copy=\"source\"]")).ToBeVisibleAsync();
        await Expect(box.Locator("button[data-copy=\"destination\"]")).ToBeVisibleAsync();
        string tunnelId = (await box.Locator("[data-created-tunnel]").GetAttributeAsync("data-created-tunnel"))!;
        string sourceToken = (await box.Locator("[data-secret=\"source\"]").TextContentAsync())!;
        string destinationToken = (await box.Locator("[data-secret=\"destination\"]").TextContentAsync())!;
        Assert.NotEqual(sourceToken, destinationToken);
        string command = (await box.Locator("[data-block=\"aws-command\"]").TextContentAsync())!;
        string origin = Gateway.HttpsBase.ToString().TrimEnd('/');
        Assert.Contains("aws iotsecuretunneling open-tunnel", command, StringComparison.Ordinal);
        Assert.Contains("--destination-config thingName=pump-17,services=SSH", command, StringComparison.Ordinal);
        Assert.Contains("--timeout-config maxLifetimeTimeoutMinutes=60", command, StringComparison.Ordinal);
        Assert.Contains("--tags key=env,value=lab key=site,value=plant-2", command, StringComparison.Ordinal);
        Assert.Contains($"--endpoint-url {origin}", command, StringComparison.Ordinal);
        Assert.DoesNotContain(sourceToken, command, StringComparison.Ordinal);

        // The copy button puts the token on the clipboard.
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = origin });
        await box.Locator("button[data-copy=\"source\"]").ClickAsync();
        await Expect(box.Locator("button[data-copy=\"source\"]")).ToHaveTextAsync("Copied");
        Assert.Equal(sourceToken, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // The tokens are real: the source end connects with its token, and the list says so.
        await using var source = await RelayEnd.ConnectAsync(Gateway, "source", sourceToken);
        var row = page.Locator($"tr[data-tunnel-id=\"{tunnelId}\"]");
        await Expect(row.Locator("[data-field=\"thing\"]")).ToHaveTextAsync("pump-17");
        await Expect(row.Locator("[data-field=\"description\"]")).ToHaveTextAsync("Pump 17's lab");
        await Expect(row.Locator("[data-field=\"tags\"] .tag")).ToHaveTextAsync(["env=lab", "site=plant-2"]);
        await Expect(row.Locator("[data-state=\"source\"]")).ToHaveTextAsync("Connected");
        await Expect(row.Locator("[data-state=\"destination\"]")).ToHaveTextAsync("Disconnected");
        await Expect(row.Locator("[data-since=\"source\"]")).ToContainTextAsync("since ");
        await dashboard.ScreenshotAsync("relay-open-tunnel-1280-full", fullPage: true);
        Assert.DoesNotContain(sourceToken, await page.Locator("#relay-table").InnerHTMLAsync(), StringComparison.Ordinal);

        // The AWS CLI line, pasted into a shell with a gateway key, opens the same tunnel.
        var key = await CreateAwsKeyAsync("web test cli", TestGateway.AdminUser);
        var (exitCode, json, error) = await AwsShell.RunAsync(Gateway, command, new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = key.GetProperty("accessKeyId").GetString()!,
            ["AWS_SECRET_ACCESS_KEY"] = key.GetProperty("secretAccessKey").GetString()!,
        });
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        string cliTunnelId = json!.Value.GetProperty("tunnelId").GetString()!;
        var formTunnel = await GetTunnelAsync(tunnelId);
        var cliTunnel = await GetTunnelAsync(cliTunnelId);
        foreach (string property in new[] { "thingName", "description", "services", "tags", "lifetimeMinutes" })
        {
            Assert.Equal(formTunnel.GetProperty(property).GetRawText(), cliTunnel.GetProperty(property).GetRawText());
        }

        // Rotate the source: the new token is shown once, the old connection is closed, the new token connects.
        var rotate = row.Locator($"button[data-rotate-tunnel=\"{tunnelId}\"]");
        await Expect(row.Locator($"select[data-rotate-ends=\"{tunnelId}\"]")).ToHaveValueAsync("source");
        await rotate.ClickAsync();
        await Expect(rotate).ToHaveTextAsync("Really rotate?");
        await rotate.ClickAsync();
        await Expect(box.Locator("[data-secret=\"destination\"]")).ToHaveCountAsync(0);
        var newToken = box.Locator("[data-secret=\"source\"]");
        await Expect(newToken).Not.ToHaveTextAsync(sourceToken);
        await Expect(box.Locator("[data-once-notice]")).ToBeVisibleAsync();
        string rotatedToken = (await newToken.TextContentAsync())!;
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await source.ReceiveCloseAsync());
        await Expect(row.Locator("[data-state=\"source\"]")).ToHaveTextAsync("Disconnected");
        await using var again = await RelayEnd.ConnectAsync(Gateway, "source", rotatedToken);
        await Expect(row.Locator("[data-state=\"source\"]")).ToHaveTextAsync("Connected");

        // Leaving the page drops the tokens: back on it, they are nowhere, nor in storage.
        await dashboard.GoToAsync("#/sessions");
        await dashboard.GoToAsync("#/relay");
        await Expect(page.Locator($"tr[data-tunnel-id=\"{tunnelId}\"]")).ToBeVisibleAsync();
        await Expect(page.Locator("#relay-tokens")).ToBeHiddenAsync();
        string html = await page.ContentAsync();
        Assert.DoesNotContain(rotatedToken, html, StringComparison.Ordinal);
        Assert.DoesNotContain(destinationToken, html, StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));

        // Form + CLI + one more reach the quota: the next opening is refused (409) with the API's message.
        await Gateway.CreateTunnelAsync(["SSH"]);
        await page.Locator("#open-services").FillAsync("SSH");
        await page.Locator("#open-tunnel-submit").ClickAsync();
        await Expect(page.Locator("#open-tunnel-error")).ToHaveTextAsync($"At most {RelayQuotaGatewayFixture.MaxOpenTunnels} tunnels may be open at once; close one first.");
        await Expect(page.Locator("#relay-tokens")).ToBeHiddenAsync();
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task AwsKeysPageShowsTheSecretOnceAndRevokesTheKey()
    {
        const string ViewerPassword = "keys-viewer-password-0123";
        await Gateway.CreateUserAsync("keyviewer", ViewerPassword, "viewer");
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;
        await page.Locator("#nav a[data-nav=\"aws-keys\"]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/aws-keys$"));

        // A missing name is the API's 400, next to the field.
        await page.Locator("#awskey-userName").SelectOptionAsync("keyviewer");
        await page.Locator("#awskey-submit").ClickAsync();
        await Expect(page.Locator("#awskey-form [data-error-for=\"name\"]")).ToContainTextAsync("The name is required");

        await page.Locator("#awskey-name").FillAsync("reporting");
        await page.Locator("#awskey-submit").ClickAsync();
        var box = page.Locator("#awskey-secret");
        await Expect(box).ToBeVisibleAsync();
        await Expect(box.Locator("[data-once-notice]")).ToContainTextAsync("shown only now");
        await Expect(box.Locator("button[data-copy=\"secretAccessKey\"]")).ToBeVisibleAsync();
        string keyId = (await box.Locator("[data-secret=\"accessKeyId\"]").TextContentAsync())!;
        string secret = (await box.Locator("[data-secret=\"secretAccessKey\"]").TextContentAsync())!;
        string env = (await box.Locator("[data-block=\"env\"]").TextContentAsync())!;
        Assert.Equal($"AWS_ACCESS_KEY_ID={keyId}\nAWS_SECRET_ACCESS_KEY={secret}", env);

        var row = page.Locator($"tr[data-key-id=\"{keyId}\"]");
        await Expect(row.Locator("[data-field=\"user\"]")).ToHaveTextAsync("keyviewer");
        await Expect(row.Locator("[data-field=\"revoked\"]")).ToHaveTextAsync("—");
        Assert.DoesNotContain(secret, await page.Locator("#awskeys-table").InnerHTMLAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("aws-keys-1280-full", fullPage: true);

        // The env lines as shown work with the AWS CLI (a viewer's key may list).
        var variables = env.Split('\n').Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        var (exitCode, json, error) = await AwsShell.RunAsync(Gateway, $"aws iotsecuretunneling list-tunnels --endpoint-url {Gateway.HttpsBase.ToString().TrimEnd('/')}", variables);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        Assert.Equal(JsonValueKind.Array, json!.Value.GetProperty("tunnelSummaries").ValueKind);

        // Revoke, with a second click to confirm; the secret box is gone after leaving the page.
        var revoke = row.Locator($"button[data-revoke-key=\"{keyId}\"]");
        await revoke.ClickAsync();
        await Expect(revoke).ToHaveTextAsync("Really revoke?");
        await revoke.ClickAsync();
        await Expect(row.Locator("[data-field=\"revoked\"]")).Not.ToHaveTextAsync("—");
        await Expect(row.Locator("button[data-revoke-key]")).ToHaveCountAsync(0);
        using (var client = Gateway.CreateClient())
        {
            var keys = await client.GetFromJsonAsync<JsonElement>("/api/aws-keys");
            Assert.NotEqual(JsonValueKind.Null, keys.EnumerateArray().Single(k => k.GetProperty("accessKeyId").GetString() == keyId).GetProperty("revokedAt").ValueKind);
        }

        await dashboard.GoToAsync("#/relay");
        await dashboard.GoToAsync("#/aws-keys");
        await Expect(page.Locator($"tr[data-key-id=\"{keyId}\"]")).ToBeVisibleAsync();
        await Expect(page.Locator("#awskey-secret")).ToBeHiddenAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        dashboard.AssertNoErrors();
    }

    private async Task<JsonElement> CreateAwsKeyAsync(string name, string userName)
    {
        using var client = Gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/aws-keys", new { name, userName });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/aws-keys: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> GetTunnelAsync(string id)
    {
        using var client = Gateway.CreateClient();
        return (await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{id}")).Clone();
    }
}
