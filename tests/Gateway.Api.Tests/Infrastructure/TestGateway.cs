using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Api.Hosting;
using Gateway.Api.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>
/// The real gateway (same composition as Program.cs) on Kestrel, HTTPS and HTTP on 127.0.0.1
/// port 0, with its own data directory. Restart by starting another instance on the same
/// directory.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly WebApplication _app;

    private TestGateway(WebApplication app, string dataDirectory, LogSink logs)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Logs = logs;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        HttpsBase = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal)));
        HttpBase = new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal)));
        Certificate = app.Services.GetRequiredService<GatewayCertificate>().Certificate;
    }

    /// <summary>The first admin's password (user <c>admin</c>), from configuration.</summary>
    public const string AdminPassword = "test-admin-password-0123";

    /// <summary>An admin API key from configuration; <see cref="CreateClient"/> sends it.</summary>
    public const string AdminApiKey = "test-admin-api-key-0123456789abcdef0123456789";

    public string DataDirectory { get; }

    public LogSink Logs { get; }

    public Uri HttpsBase { get; }

    public Uri HttpBase { get; }

    public X509Certificate2 Certificate { get; }

    public IServiceProvider Services => _app.Services;

    public Uri TunnelUri(string mode) => new($"wss://127.0.0.1:{HttpsBase.Port}/tunnel?local-proxy-mode={mode}");

    public static string NewDataDirectory() =>
        Directory.CreateTempSubdirectory("gateway-test-").FullName;

    /// <param name="httpsPort">0 for any free port; a fixed port lets a restarted gateway keep its address.</param>
    /// <param name="settings">Configuration on top of the test defaults; a null value removes a default (e.g. Auth:AdminPassword).</param>
    public static async Task<TestGateway> StartAsync(string? dataDirectory = null, TimeProvider? time = null, int httpsPort = 0, IReadOnlyDictionary<string, string?>? settings = null)
    {
        dataDirectory ??= NewDataDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration["Gateway:DataDirectory"] = dataDirectory;
        builder.Configuration["Auth:AdminPassword"] = AdminPassword;
        builder.Configuration["Auth:AdminApiKey"] = AdminApiKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.WebHost.UseUrls($"https://127.0.0.1:{httpsPort}", "http://127.0.0.1:0");
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.AddGateway();
        if (time is not null)
        {
            builder.Services.RemoveAll<TimeProvider>();
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();
        app.UseGateway();
        await app.StartAsync().WaitAsync(Timeout);
        return new TestGateway(app, dataDirectory, logs);
    }

    /// <summary>An HTTP client over HTTPS that trusts exactly this gateway's certificate and sends <paramref name="apiKey"/> (admin by default; null: none).</summary>
    public HttpClient CreateClient(string? apiKey = AdminApiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = ValidateCertificate } })
        {
            BaseAddress = HttpsBase,
            Timeout = Timeout,
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>A client WebSocket to /tunnel with the given mode, token and subprotocol.</summary>
    public async Task<ClientWebSocket> ConnectAsync(string mode, string accessToken, string? clientToken = null, string subprotocol = "aws.iot.securetunneling-3.0")
    {
        var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = ValidateCertificate;
        socket.Options.AddSubProtocol(subprotocol);
        socket.Options.SetRequestHeader("access-token", accessToken);
        if (clientToken is not null)
        {
            socket.Options.SetRequestHeader("client-token", clientToken);
        }

        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(TunnelUri(mode), cts.Token);
        return socket;
    }

    /// <summary>Accepts only this gateway's own certificate (chain built on it as the only root).</summary>
    public bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(Timeout);
        await _app.DisposeAsync();
    }
}
