using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.SignalR.Client;

namespace Gateway.Api.Tests.Hubs;

/// <summary>
/// A hub connection is authorised when it starts; revoking what authorised it closes it at once:
/// a revoked API key, a deleted or demoted user, a logout. A copy of a logged-out cookie is refused.
/// </summary>
public sealed class SessionsHubRevocationTests
{
    [Fact]
    public async Task RevokingAnApiKeyClosesItsHubConnections()
    {
        await using var gateway = await TestGateway.StartAsync();
        string key = await gateway.CreateApiKeyAsync("watcher", "viewer");
        await using var hub = await HubClient.ConnectAsync(gateway, key);
        await using var other = await HubClient.ConnectAsync(gateway, TestGateway.AdminApiKey);
        var ended = EndedByServer(hub.Connection);
        using var admin = gateway.CreateClient();
        string id = key.Split('_')[1];

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{id}")).StatusCode);

        await ended.WaitAsync(TestGateway.Timeout);
        Assert.Empty(await other.InvokeAsync<SessionSnapshot[]>("GetSessions"));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task DeletingOrDemotingAUserClosesTheirHubConnections()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        foreach (var name in new[] { "dora", "dave" })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/users", new { userName = name, password = name + "-password-123", role = "operator" })).StatusCode);
        }

        var (doraCookies, _) = await LoginAsync(gateway, "dora", "dora-password-123");
        var (daveCookies, _) = await LoginAsync(gateway, "dave", "dave-password-123");
        await using var dora = await HubClient.ConnectAsync(gateway, apiKey: null, doraCookies);
        await using var dave = await HubClient.ConnectAsync(gateway, apiKey: null, daveCookies);
        var doraEnded = EndedByServer(dora.Connection);
        var daveEnded = EndedByServer(dave.Connection);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/users/dora")).StatusCode);
        await doraEnded.WaitAsync(TestGateway.Timeout);
        Assert.False(daveEnded.IsCompleted);
        Assert.Empty(await dave.InvokeAsync<SessionSnapshot[]>("GetSessions"));

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/users/dave", new { role = "viewer" })).StatusCode);
        await daveEnded.WaitAsync(TestGateway.Timeout);
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task LoggingOutClosesTheLoginsHubConnectionsAndACopiedCookieStopsWorking()
    {
        await using var gateway = await TestGateway.StartAsync();
        var (cookies, csrf) = await LoginAsync(gateway, "admin", TestGateway.AdminPassword);
        var (otherCookies, _) = await LoginAsync(gateway, "admin", TestGateway.AdminPassword);
        string copied = cookies.GetCookieHeader(gateway.HttpsBase);
        await using var hub = await HubClient.ConnectAsync(gateway, apiKey: null, cookies);
        await using var otherLogin = await HubClient.ConnectAsync(gateway, apiKey: null, otherCookies);
        var ended = EndedByServer(hub.Connection);

        using (var browser = Browser(gateway, cookies))
        {
            using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
            logout.Headers.Add("X-CSRF-TOKEN", csrf);
            Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(logout)).StatusCode);
        }

        await ended.WaitAsync(TestGateway.Timeout);

        // The cookie as it was before the logout, sent by someone who copied it.
        using var thief = gateway.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tunnels");
        request.Headers.Add("Cookie", copied);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.SendAsync(request)).StatusCode);

        // The same user's other login is untouched.
        Assert.Empty(await otherLogin.InvokeAsync<SessionSnapshot[]>("GetSessions"));
        using var other = Browser(gateway, otherCookies);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/tunnels")).StatusCode);
        gateway.Logs.AssertNoErrors();
    }

    /// <summary>Completes when the server ends the connection (the client then reconnects or closes).</summary>
    private static Task EndedByServer(HubConnection connection)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Reconnecting += _ =>
        {
            ended.TrySetResult();
            return Task.CompletedTask;
        };
        connection.Closed += _ =>
        {
            ended.TrySetResult();
            return Task.CompletedTask;
        };
        return ended.Task;
    }

    private static HttpClient Browser(TestGateway gateway, CookieContainer cookies) =>
        new(new SocketsHttpHandler { CookieContainer = cookies, SslOptions = { RemoteCertificateValidationCallback = gateway.ValidateCertificate } })
        {
            BaseAddress = gateway.HttpsBase,
            Timeout = TestGateway.Timeout,
        };

    private static async Task<(CookieContainer Cookies, string Csrf)> LoginAsync(TestGateway gateway, string userName, string password)
    {
        var cookies = new CookieContainer();
        using var browser = Browser(gateway, cookies);
        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userName, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var me = await login.Content.ReadFromJsonAsync<JsonElement>();
        return (cookies, me.GetProperty("csrfToken").GetString()!);
    }
}
