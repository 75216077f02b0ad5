using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Auth;

/// <summary><c>POST /api/auth/password</c>: any role changes its own password; other logins end, this one goes on.</summary>
public sealed class OwnPasswordTests
{
    private const string Old = "vicky-password-123";
    private const string New = "vicky-password-456";

    [Fact]
    public async Task AViewerChangesTheirOwnPasswordTheirOtherLoginsEndAndThisOneGoesOn()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/users", new { userName = "vicky", password = Old, role = "viewer" })).StatusCode);

        var (other, _) = await LoginAsync(gateway, Old);
        var (browser, csrf) = await LoginAsync(gateway, Old);
        using (other)
        using (browser)
        {
            // The current password is checked, and the new one like any password.
            var wrong = await ChangeAsync(browser, csrf, "not-my-password-at-all", New);
            Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
            Assert.True(wrong.Body.GetProperty("errors").TryGetProperty("currentPassword", out _), wrong.Body.ToString());
            var tooShort = await ChangeAsync(browser, csrf, Old, "short");
            Assert.True(tooShort.Body.GetProperty("errors").TryGetProperty("newPassword", out _), tooShort.Body.ToString());

            // Without the anti-forgery token a cookie change is refused, as any other.
            using (var forged = await browser.PostAsJsonAsync("/api/auth/password", new { currentPassword = Old, newPassword = New }))
            {
                Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
                Assert.Contains("X-CSRF-TOKEN", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var changed = await ChangeAsync(browser, csrf, Old, New);
            Assert.Equal(HttpStatusCode.OK, changed.Status);
            Assert.Equal("vicky", changed.Body.GetProperty("name").GetString());
            string newCsrf = changed.Body.GetProperty("csrfToken").GetString()!;

            // This login goes on (and its new token works); the other one has ended.
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/tunnels")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/tunnels")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await ChangeAsync(browser, newCsrf, New, New)).Status);
        }

        // Only the new password logs in.
        using var anonymous = gateway.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "vicky", password = Old })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "vicky", password = New })).StatusCode);
        gateway.Logs.AssertNeverLogged(New);
        gateway.Logs.AssertNeverLogged("not-my-password-at-all");

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("path").GetString() == "/api/auth/password" && e.GetProperty("status").GetInt32() == 200 && e.GetProperty("actor").GetString() == "vicky");
    }

    [Fact]
    public async Task WrongCurrentPasswordsEndTheLoginAfterTheLimit()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/users", new { userName = "vicky", password = Old, role = "operator" })).StatusCode);
        var (browser, csrf) = await LoginAsync(gateway, Old);
        using (browser)
        {
            for (int i = 1; i < Gateway.Api.Auth.AccountApi.MaxWrongCurrentPasswords; i++)
            {
                Assert.Equal(HttpStatusCode.BadRequest, (await ChangeAsync(browser, csrf, $"wrong-guess-number-{i}", New)).Status);
            }

            var last = await ChangeAsync(browser, csrf, "wrong-guess-the-last", New);
            Assert.Equal(HttpStatusCode.Unauthorized, last.Status);
            Assert.Contains("this login has ended", last.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/tunnels")).StatusCode);
        }

        // The password did not change.
        using var anonymous = gateway.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "vicky", password = Old })).StatusCode);
    }

    [Fact]
    public async Task AnApiKeyHasNoOwnPasswordToChange()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        using var response = await admin.PostAsJsonAsync("/api/auth/password", new { currentPassword = TestGateway.AdminPassword, newPassword = "a-new-admin-password" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("API key has no password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<(HttpClient Client, string Csrf)> LoginAsync(TestGateway gateway, string password)
    {
        var browser = gateway.CreateClient(apiKey: null);
        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "vicky", password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (browser, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ChangeAsync(HttpClient browser, string csrf, string current, string next)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/password") { Content = JsonContent.Create(new { currentPassword = current, newPassword = next }) };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        using var response = await browser.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone());
    }
}
