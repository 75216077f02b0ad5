using System.Net;
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
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gateway.Testing.Hosting;

/// <summary>
/// The real gateway (built-in relay on /tunnel, REST API) on Kestrel, HTTPS on 127.0.0.1 port 0, with
/// its own data directory. localproxy processes reach it with <c>-e 127.0.0.1:PORT -c CA_DIR</c>.
/// Restart it by disposing it and starting another on the same data directory and port: tunnels
/// and their token state live in its database.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        HttpsBase = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal)));
        Certificate = app.Services.GetRequiredService<GatewayCertificate>().Certificate;
    }

    /// <summary>The first admin's password (user <c>admin</c>), from configuration.</summary>
    public const string AdminPassword = "test-admin-password-0123";

    /// <summary>An admin API key from configuration; <see cref="CreateClient"/> sends it.</summary>
    public const string AdminApiKey = "test-admin-api-key-0123456789abcdef0123456789";

    public string DataDirectory { get; }

    public Uri HttpsBase { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The reference's <c>-e</c> form for this relay.</summary>
    public string Endpoint => $"127.0.0.1:{HttpsBase.Port}";

    /// <summary>The relay's URL for engine sessions (<c>endpoint</c> of <c>POST /api/tunnels</c>).</summary>
    public string WssEndpoint => $"wss://127.0.0.1:{HttpsBase.Port}";

    /// <summary>The hashed CA directory that trusts this gateway's certificate (for <c>-c</c>).</summary>
    public string CaDirectory => Path.Combine(DataDirectory, "tls", "ca");

    /// <param name="dataDirectory">Default: a new temporary directory.</param>
    /// <param name="httpsPort">0 for any free port; a fixed port lets a restarted gateway keep its address.</param>
    /// <param name="time">The gateway's clock (e.g. a fake one, to expire a tunnel without waiting).</param>
    public static async Task<TestGateway> StartAsync(string? dataDirectory = null, int httpsPort = 0, TimeProvider? time = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("test-gateway-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ApplicationName = typeof(GatewayHostingExtensions).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration["Gateway:DataDirectory"] = dataDirectory;
        builder.Configuration["Auth:AdminPassword"] = AdminPassword;
        builder.Configuration["Auth:AdminApiKey"] = AdminApiKey;
        builder.WebHost.UseUrls($"https://127.0.0.1:{httpsPort}");
        builder.Logging.ClearProviders();
        builder.AddGateway();
        if (time is not null)
        {
            builder.Services.RemoveAll<TimeProvider>();
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();
        app.UseGateway();
        await app.StartAsync().WaitAsync(Bounds.Step);
        return new TestGateway(app, dataDirectory);
    }

    /// <summary>The usual arguments to reach this relay: <c>-e 127.0.0.1:PORT -c CA_DIR</c>.</summary>
    public string[] EndpointArgs() => ["-e", Endpoint, "-c", CaDirectory];

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

    /// <summary>Creates a relay tunnel through the REST API.</summary>
    public Task<CreatedRelayTunnelResponse> CreateTunnelAsync(params string[] services) => CreateTunnelAsync(services, lifetimeMinutes: null);

    /// <summary>Creates a relay tunnel through the REST API that expires after <paramref name="lifetimeMinutes"/> (default: the relay's).</summary>
    public async Task<CreatedRelayTunnelResponse> CreateTunnelAsync(string[] services, int? lifetimeMinutes)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { services, lifetimeMinutes });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedRelayTunnelResponse>())!;
    }

    /// <summary>Closes a relay tunnel: both ends get a close frame.</summary>
    public async Task CloseTunnelAsync(string tunnelId)
    {
        using var client = CreateClient();
        using var response = await client.DeleteAsync($"/api/relay/tunnels/{tunnelId}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Starts an engine session through <c>POST /api/tunnels</c>; returns its JSON.</summary>
    public async Task<JsonElement> StartSessionAsync(object body)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/tunnels", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/tunnels: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Starts an engine source session on this relay listening on 127.0.0.1 (<paramref name="servicesForPort"/>
    /// builds <c>services</c> from a free port, e.g. <c>p => $"SSH={p}"</c>); another port when that one
    /// was taken meanwhile (409). Returns the session's id and the port.
    /// </summary>
    public async Task<(string Id, int Port)> StartSourceSessionAsync(string accessToken, Func<int, string> servicesForPort, string? destinationClientType = null, object? settings = null, string? clientToken = null)
    {
        using var client = CreateClient();
        for (int attempt = 0; ; attempt++)
        {
            int port = Tcp.FreePort();
            using var response = await client.PostAsJsonAsync("/api/tunnels", new
            {
                name = "test-engine-source",
                mode = "source",
                endpoint = WssEndpoint,
                accessToken,
                services = servicesForPort(port),
                bindAddress = "127.0.0.1",
                caPath = CaDirectory,
                destinationClientType,
                settings,
                clientToken,
            });
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 4)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/tunnels: {(int)response.StatusCode} {text}");
            Assert.DoesNotContain(accessToken, text, StringComparison.Ordinal);
            return (JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!, port);
        }
    }

    /// <summary>Starts an engine destination session on this relay; returns its id.</summary>
    public async Task<string> StartDestinationSessionAsync(string accessToken, string services, object? settings = null, string? clientToken = null)
    {
        var session = await StartSessionAsync(new
        {
            name = "test-engine-destination",
            mode = "destination",
            endpoint = WssEndpoint,
            accessToken,
            services,
            caPath = CaDirectory,
            settings,
            clientToken,
        });
        Assert.DoesNotContain(accessToken, session.GetRawText(), StringComparison.Ordinal);
        return session.GetProperty("id").GetString()!;
    }

    /// <summary>Stops a session (best effort: a failure here must not hide the test's own).</summary>
    public async Task StopSessionAsync(string id)
    {
        using var client = CreateClient();
        using var response = await client.DeleteAsync($"/api/tunnels/{id}");
    }

    /// <summary>A session's log (<c>GET /api/tunnels/{id}/logs</c>), one "level message" string per line.</summary>
    public async Task<IReadOnlyList<string>> SessionLogAsync(string id)
    {
        using var client = CreateClient();
        var lines = await client.GetFromJsonAsync<JsonElement>($"/api/tunnels/{id}/logs");
        return [.. lines.EnumerateArray().Select(line => $"{line.GetProperty("level").GetString()} {line.GetProperty("message").GetString()}")];
    }

    /// <summary>A session's <c>state</c>.</summary>
    public static string? State(JsonElement session) => session.GetProperty("state").GetString();

    /// <summary>Connected and done with SERVICE_IDS (the state reason is cleared then).</summary>
    public static bool IsReady(JsonElement session) =>
        State(session) == "Connected" && (!session.TryGetProperty("stateReason", out var reason) || reason.ValueKind == JsonValueKind.Null);

    /// <summary>
    /// Reads <c>GET /api/tunnels/{id}</c> until <paramref name="condition"/> holds, re-reading after each
    /// change event of the engine for that session (bounded).
    /// </summary>
    public async Task<JsonElement> WaitForSessionAsync(string id, Func<JsonElement, bool> condition)
    {
        var sessions = _app.Services.GetRequiredService<SessionManager>();
        var changed = new SemaphoreSlim(0);
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(Bounds.Step);
        await _app.DisposeAsync();
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
