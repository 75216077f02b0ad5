using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Api.Hosting;
using Gateway.Api.Relay;
using Gateway.Api.Tls;
using Gateway.Engine.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// The real gateway (dashboard, REST API, SignalR hub, built-in relay) on Kestrel, HTTPS on 127.0.0.1
/// port 0, with its own data directory and a known first admin.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, string dataDirectory, LogSink logs)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Logs = logs;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        HttpsBase = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal)));
        Certificate = app.Services.GetRequiredService<GatewayCertificate>().Certificate;
    }

    /// <summary>The first admin's user name.</summary>
    public const string AdminUser = "admin";

    /// <summary>The first admin's password, from configuration.</summary>
    public const string AdminPassword = "web-test-admin-password-0123";

    /// <summary>An admin API key from configuration; <see cref="CreateClient"/> sends it.</summary>
    public const string AdminApiKey = "web-test-admin-api-key-0123456789abcdef0123456789";

    public string DataDirectory { get; }

    /// <summary>The gateway's warnings and errors so far.</summary>
    public LogSink Logs { get; }

    /// <summary>https://127.0.0.1:PORT/ : the dashboard and the API.</summary>
    public Uri HttpsBase { get; }

    public X509Certificate2 Certificate { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The built-in relay, as a session's <c>endpoint</c>.</summary>
    public string RelayEndpoint => $"wss://127.0.0.1:{HttpsBase.Port}";

    /// <summary>The hashed CA directory that trusts this gateway's certificate (a session's <c>caPath</c>).</summary>
    public string CaDirectory => Path.Combine(DataDirectory, "tls", "ca");

    /// <summary>Starts one; <paramref name="settings"/> are configuration values on top of the test defaults.</summary>
    public static async Task<TestGateway> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        string dataDirectory = Directory.CreateTempSubdirectory("web-gateway-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ApplicationName = typeof(GatewayHostingExtensions).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration["Gateway:DataDirectory"] = dataDirectory;
        builder.Configuration["Auth:AdminUser"] = AdminUser;
        builder.Configuration["Auth:AdminPassword"] = AdminPassword;
        builder.Configuration["Auth:AdminApiKey"] = AdminApiKey;

        // Every test logs in through the page, some more than once: the default (5 a minute) would answer 429.
        builder.Configuration["Auth:LoginAttemptsPerMinute"] = "1000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.WebHost.UseUrls("https://127.0.0.1:0");
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.AddGateway();
        var app = builder.Build();
        app.UseGateway();
        await app.StartAsync().WaitAsync(Bounds.Step);
        return new TestGateway(app, dataDirectory, logs);
    }

    /// <summary>An HTTP client that trusts exactly this gateway's certificate and sends <paramref name="apiKey"/> (admin by default; null: none).</summary>
    public HttpClient CreateClient(string? apiKey = AdminApiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = ValidateCertificate } })
        {
            BaseAddress = HttpsBase,
            Timeout = Bounds.Step,
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>Creates a dashboard user through <c>POST /api/users</c> (admin API key).</summary>
    public async Task CreateUserAsync(string userName, string password, string role)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/users", new { userName, password, role });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/users: {(int)response.StatusCode} {text}");
    }

    /// <summary>Creates a relay tunnel through the REST API (with <paramref name="connect"/>: both ends run here too).</summary>
    public async Task<CreatedRelayTunnelResponse> CreateTunnelAsync(IReadOnlyList<string>? services, object? connect = null)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { services, connect });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/relay/tunnels: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<CreatedRelayTunnelResponse>(text, JsonSerializerOptions.Web)!;
    }

    /// <summary><c>GET /api/tunnels</c>: every session.</summary>
    public async Task<JsonElement> ListSessionsAsync()
    {
        using var client = CreateClient();
        return (await client.GetFromJsonAsync<JsonElement>("/api/tunnels")).Clone();
    }

    /// <summary>
    /// Reads <c>GET /api/tunnels/{id}</c> until <paramref name="condition"/> holds, re-reading after each
    /// change event of the engine for that session (bounded).
    /// </summary>
    public async Task<JsonElement> WaitForSessionAsync(string id, Func<JsonElement, bool> condition)
    {
        var sessions = Services.GetRequiredService<SessionManager>();
        using var changed = new SemaphoreSlim(0);
        void OnChanged(SessionEvent e)
        {
            if (e.Session.Id == id)
            {
                changed.Release();
            }
        }

        sessions.Changed += OnChanged;
        try
        {
            using var client = CreateClient();
            using var cts = new CancellationTokenSource(Bounds.Step);
            while (true)
            {
                var last = (await client.GetFromJsonAsync<JsonElement>($"/api/tunnels/{id}", cts.Token)).Clone();
                if (condition(last))
                {
                    return last;
                }

                try
                {
                    await changed.WaitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"session {id} did not reach the expected state; last: {last}");
                }
            }
        }
        finally
        {
            sessions.Changed -= OnChanged;
        }
    }

    /// <summary>
    /// Stops the gateway as a crash or a kill would look to a browser: open connections (the hub's
    /// WebSocket) are cut after <paramref name="grace"/> instead of waiting for them. Dispose it afterwards.
    /// </summary>
    public async Task StopAbruptlyAsync(TimeSpan grace)
    {
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _app.StopAsync(cts.Token).WaitAsync(Bounds.Step);
        }
        catch (Exception ex) when (IsCancellation(ex))
        {
            // The grace ran out before every hosted service stopped (a loaded machine): that is the
            // abrupt stop this asks for; the host is stopped either way.
        }
    }

    private static bool IsCancellation(Exception ex) => ex switch
    {
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsCancellation),
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(Bounds.Step);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
