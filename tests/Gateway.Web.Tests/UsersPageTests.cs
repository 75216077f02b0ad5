using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>The users page (users and API keys, admin) and the account page (own password, any role), in a real browser.</summary>
[Collection(DashboardCollection.Name)]
public sealed class UsersPageTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task AnAdminCreatesChangesResetsAndDeletesUsersAndTheApisRefusalIsShown()
    {
        const string Password = "opal-password-0123";
        const string Reset = "opal-password-4567";
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;
        await page.Locator("#nav a[data-nav=\"users\"]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/users$"));
        await Expect(page.Locator("tr[data-user-name=\"admin\"]")).ToBeVisibleAsync();

        // The API's 400 lands next to the field.
        await page.Locator("#newuser-userName").FillAsync("opal");
        await page.Locator("#newuser-password").FillAsync("short");
        await page.Locator("#newuser-submit").ClickAsync();
        await Expect(page.Locator("#newuser-form [data-error-for=\"password\"]")).ToContainTextAsync("12 to 256 characters");

        await page.Locator("#newuser-password").FillAsync(Password);
        await page.Locator("#newuser-role").SelectOptionAsync("operator");
        await page.Locator("#newuser-submit").ClickAsync();
        var row = page.Locator("tr[data-user-name=\"opal\"]");
        await Expect(row.Locator("select[data-role-user=\"opal\"]")).ToHaveValueAsync("operator");
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync("opal", Password));

        // Role: the select changes it at once.
        await row.Locator("select[data-role-user=\"opal\"]").SelectOptionAsync("viewer");
        await Expect(page.Locator(".toast").Last).ToContainTextAsync("opal is now viewer");
        Assert.Equal("viewer", (await UserAsync("opal")).GetProperty("role").GetString());

        // Reset password: the old one stops working, the new one logs in.
        await row.Locator("button[data-reset-user=\"opal\"]").ClickAsync();
        await row.Locator("input[data-reset-password=\"opal\"]").FillAsync(Reset);
        await row.Locator("button[data-reset-submit=\"opal\"]").ClickAsync();
        await Expect(row.Locator("form[data-reset-form=\"opal\"]")).ToBeHiddenAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync("opal", Password));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync("opal", Reset));

        // The last admin cannot be demoted or deleted: the API's words, and the row stays as it was.
        var adminRow = page.Locator("tr[data-user-name=\"admin\"]");
        await adminRow.Locator("select[data-role-user=\"admin\"]").SelectOptionAsync("operator");
        await Expect(page.Locator("#users-problem")).ToContainTextAsync("This is the last admin: make another user admin first.");
        await Expect(adminRow.Locator("select[data-role-user=\"admin\"]")).ToHaveValueAsync("admin");
        var deleteAdmin = adminRow.Locator("button[data-delete-user=\"admin\"]");
        await deleteAdmin.ClickAsync();
        await Expect(deleteAdmin).ToHaveTextAsync("Really delete?");
        await deleteAdmin.ClickAsync();
        await Expect(page.Locator("#users-problem")).ToContainTextAsync("This is the last admin and cannot be deleted.");
        await dashboard.ScreenshotAsync("users-1280-full", fullPage: true);

        // Delete, with a second click to confirm.
        var delete = row.Locator("button[data-delete-user=\"opal\"]");
        await delete.ClickAsync();
        await delete.ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync("opal", Reset));
        await Expect(page.Locator("#users-problem")).ToBeHiddenAsync();
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task AnApiKeyIsShownOnceWithACopyButtonWorksWithItsRoleAndStopsWhenRevoked()
    {
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/users");
        var page = dashboard.Page;

        await page.Locator("#apikey-submit").ClickAsync();
        await Expect(page.Locator("#apikey-form [data-error-for=\"name\"]")).ToContainTextAsync("The name is required");
        await page.Locator("#apikey-name").FillAsync("ci-pipeline");
        await page.Locator("#apikey-expiresInDays").FillAsync("0");
        await page.Locator("#apikey-submit").ClickAsync();
        await Expect(page.Locator("#apikey-form [data-error-for=\"expiresInDays\"]")).ToContainTextAsync("between 1 and 3650");

        await page.Locator("#apikey-expiresInDays").FillAsync("30");
        await page.Locator("#apikey-role").SelectOptionAsync("operator");
        await page.Locator("#apikey-submit").ClickAsync();
        var box = page.Locator("#apikey-secret");
        await Expect(box.Locator("[data-once-notice]")).ToContainTextAsync("shown only now");
        string key = (await box.Locator("[data-secret=\"key\"]").TextContentAsync())!;
        Assert.StartsWith("tg_", key, StringComparison.Ordinal);

        string origin = Gateway.HttpsBase.ToString().TrimEnd('/');
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = origin });
        await box.Locator("button[data-copy=\"key\"]").ClickAsync();
        await Expect(box.Locator("button[data-copy=\"key\"]")).ToHaveTextAsync("Copied");
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // The key works with its role: an operator reads and may not create relay tunnels.
        using (var client = Gateway.CreateClient(key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tunnels")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/relay/tunnels", new { services = new[] { "SSH" } })).StatusCode);
        }

        var keyRow = page.Locator("#apikeys-body tr", new PageLocatorOptions { Has = page.Locator("[data-field=\"name\"]", new PageLocatorOptions { HasTextString = "ci-pipeline" }) });
        await Expect(keyRow.Locator("[data-field=\"role\"]")).ToHaveTextAsync("operator");
        Assert.DoesNotContain(key, await page.Locator("#apikeys-table").InnerHTMLAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("api-keys-1280-full", fullPage: true);

        var revoke = keyRow.Locator("button[data-revoke-apikey]");
        await revoke.ClickAsync();
        await Expect(revoke).ToHaveTextAsync("Really revoke?");
        await revoke.ClickAsync();
        await Expect(keyRow.Locator("[data-field=\"revoked\"]")).Not.ToHaveTextAsync("—");
        using (var client = Gateway.CreateClient(key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/tunnels")).StatusCode);
        }

        // Leaving the page drops the key shown.
        await dashboard.GoToAsync("#/sessions");
        await dashboard.GoToAsync("#/users");
        await Expect(page.Locator("#apikey-secret")).ToBeHiddenAsync();
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task AViewerHasNoUsersPageButChangesTheirOwnPassword()
    {
        const string Password = "vince-password-0123";
        const string NewPassword = "vince-password-4567";
        await Gateway.CreateUserAsync("vince", Password, "viewer");
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync("vince", Password);
        var page = dashboard.Page;
        await Expect(page.Locator("#nav a[data-nav=\"users\"]")).ToHaveCountAsync(0);
        await dashboard.GoToAsync("#/users");
        await Expect(page.Locator("#view .notice")).ToContainTextAsync("needs the admin role");

        // The name in the top bar leads to the account page.
        await page.Locator("#user-name").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/account$"));
        await Expect(page.Locator("#account-role")).ToHaveTextAsync("viewer");

        await page.Locator("#account-currentPassword").FillAsync("not-my-password-at-all");
        await page.Locator("#account-newPassword").FillAsync(NewPassword);
        await page.Locator("#account-confirmPassword").FillAsync(NewPassword + "x");
        await page.Locator("#account-submit").ClickAsync();
        await Expect(page.Locator("#account-form [data-error-for=\"confirmPassword\"]")).ToHaveTextAsync("The two new passwords differ.");

        await page.Locator("#account-confirmPassword").FillAsync(NewPassword);
        await page.Locator("#account-submit").ClickAsync();
        await Expect(page.Locator("#account-form [data-error-for=\"currentPassword\"]")).ToHaveTextAsync("The current password is wrong.");

        await page.Locator("#account-currentPassword").FillAsync(Password);
        await page.Locator("#account-submit").ClickAsync();
        await Expect(page.Locator("#account-done")).ToContainTextAsync("Your password is changed");

        // This login goes on: a reload is still logged in; only the new password logs in.
        await page.ReloadAsync();
        await Expect(page.Locator("#account-role")).ToHaveTextAsync("viewer");
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync("vince", Password));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync("vince", NewPassword));
        dashboard.AssertNoErrors();
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string userName, string password)
    {
        using var client = Gateway.CreateClient(apiKey: null);
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password });
        return response.StatusCode;
    }

    private async Task<JsonElement> UserAsync(string userName)
    {
        using var client = Gateway.CreateClient();
        var users = await client.GetFromJsonAsync<JsonElement>("/api/users");
        return users.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == userName).Clone();
    }
}
