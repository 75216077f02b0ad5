using System.Net;
using System.Net.Http.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Hubs;

/// <summary><c>/hubs/sessions</c> has the API's authentication: any role, by API key or login cookie; nothing without.</summary>
public sealed class SessionsHubAuthTests
{
    [Fact]
    public async Task RefusesConnectionsWithoutAValidLogin()
    {
        await using var gateway = await TestGateway.StartAsync();
        foreach (string? key in new[] { null, "not-a-valid-key-0123456789abcdef" })
        {
            await using var connection = HubClient.Build(gateway, key);
            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync().WaitAsync(TestGateway.Timeout));
            Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        }
    }

    [Fact]
    public async Task AViewerKeyAndALoginCookieConnect()
    {
        await using var gateway = await TestGateway.StartAsync();
        string viewerKey = await gateway.CreateApiKeyAsync("dashboard-viewer", "viewer");
        await using (var viewer = await HubClient.ConnectAsync(gateway, viewerKey))
        {
            Assert.Empty(await viewer.InvokeAsync<SessionSnapshot[]>("GetSessions"));
        }

        // A browser: the cookie of a login, no anti-forgery header on the negotiate POST.
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, SslOptions = { RemoteCertificateValidationCallback = gateway.ValidateCertificate } }) { BaseAddress = gateway.HttpsBase, Timeout = TestGateway.Timeout })
        {
            using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = TestGateway.AdminPassword });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        await using (var cookie = await HubClient.ConnectAsync(gateway, apiKey: null, cookies))
        {
            Assert.Empty(await cookie.InvokeAsync<SessionSnapshot[]>("GetSessions"));
        }

        gateway.Logs.AssertNoErrors();
    }
}
