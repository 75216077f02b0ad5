using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Api.Tests.Auth;

/// <summary>
/// Issue 19: login limits that fit a bastion. Failures count, successes do not; per user name and per
/// client address (clients connect from 127.0.0.2 and 127.0.0.3, the gateway listens on 127.0.0.1);
/// a refusal says when to retry, in its text and in Retry-After.
/// </summary>
public sealed class LoginLimitTests
{
    private const string OtherUser = "operator1";
    private const string OtherPassword = "operator-password-0123";

    [Fact]
    public async Task SuccessfulLoginsDoNotCount()
    {
        await using var gateway = await TestGateway.StartAsync(settings: Limit(3));
        using var browser = ClientFrom(gateway, "127.0.0.2");

        for (int i = 0; i < 10; i++)
        {
            using var login = await LoginAsync(browser, "admin", TestGateway.AdminPassword);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
    }

    [Fact]
    public async Task FailuresForOneUserNameLockThatNameFromEveryAddressButNotOtherNames()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time, settings: Limit(3));
        await CreateUserAsync(gateway);
        using var first = ClientFrom(gateway, "127.0.0.2");
        using var second = ClientFrom(gateway, "127.0.0.3");

        // Three failures for admin from the first address, one failure for the other user from the second.
        for (int i = 0; i < 3; i++)
        {
            using var wrong = await LoginAsync(first, "admin", "not-the-password");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // admin is locked from the second address too, even with the right password.
        using var locked = await LoginAsync(second, "admin", TestGateway.AdminPassword);
        await AssertLimitedAsync(locked, expectedSeconds: 60);

        // Another name from the second address is not.
        using var other = await LoginAsync(second, OtherUser, OtherPassword);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        // Twenty seconds later the retry time has shrunk; a minute after the first failure admin may log in.
        time.Advance(TimeSpan.FromSeconds(20));
        using var later = await LoginAsync(second, "admin", TestGateway.AdminPassword);
        await AssertLimitedAsync(later, expectedSeconds: 40);
        time.Advance(TimeSpan.FromSeconds(40));
        using var again = await LoginAsync(second, "admin", TestGateway.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task FailuresFromOneAddressLockThatAddressForEveryNameButNotOtherAddresses()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time, settings: Limit(3));
        using var first = ClientFrom(gateway, "127.0.0.2");
        using var second = ClientFrom(gateway, "127.0.0.3");

        // A spray of names from one address: each name fails once.
        foreach (var name in new[] { "root", "ubuntu", "guest" })
        {
            using var wrong = await LoginAsync(first, name, "guess-guess-guess");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await LoginAsync(first, "admin", TestGateway.AdminPassword);
        await AssertLimitedAsync(locked, expectedSeconds: 60);

        using var elsewhere = await LoginAsync(second, "admin", TestGateway.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        gateway.Logs.AssertNeverLogged("guess-guess-guess");
    }

    [Fact]
    public async Task ParallelGuessesCannotAllPassTheCheckBeforeTheFirstFailureIsCounted()
    {
        await using var gateway = await TestGateway.StartAsync(settings: Limit(3));
        using var browser = ClientFrom(gateway, "127.0.0.2");

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await LoginAsync(browser, "admin", "not-the-password");
            return response.StatusCode;
        }));

        Assert.Equal(3, answers.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(9, answers.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    private static Dictionary<string, string?> Limit(int perMinute) => new() { ["Auth:LoginAttemptsPerMinute"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static async Task AssertLimitedAsync(HttpResponseMessage response, int expectedSeconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains($"try again in {expectedSeconds} s", detail, StringComparison.Ordinal);
        Assert.Contains("this user name or from this address", detail, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string userName, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { userName, password });

    private static async Task CreateUserAsync(TestGateway gateway)
    {
        using var admin = gateway.CreateClient();
        using var created = await admin.PostAsJsonAsync("/api/users", new { userName = OtherUser, password = OtherPassword, role = "operator" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>A client (no API key, no cookies) whose connections come from <paramref name="localAddress"/>.</summary>
    private static HttpClient ClientFrom(TestGateway gateway, string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = gateway.ValidateCertificate },

            // Every attempt comes without a login cookie, as from a new browser (a cookie would need the anti-forgery header).
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = gateway.HttpsBase, Timeout = TestGateway.Timeout };
    }
}
