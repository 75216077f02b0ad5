using Gateway.Api.Hosting;
using Gateway.Engine.Protocol;
using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Bench.Infrastructure;

/// <summary>
/// The gateway, composed as Program.cs composes it, in this process: Kestrel on 127.0.0.1 with
/// HTTPS (the relay's WSS) and HTTP (plain WS), a temporary data directory, warnings and errors
/// on the console.
/// </summary>
internal sealed class BenchGateway : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;

    private BenchGateway(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        HttpsPort = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal))).Port;
        HttpPort = new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal))).Port;
        Sessions = app.Services.GetRequiredService<SessionManager>();
        Relay = app.Services.GetRequiredService<TunnelRelay>();
    }

    public string DataDirectory { get; }

    /// <summary>An admin API key this run made up (for the management API figure's access key).</summary>
    public string AdminApiKey { get; private init; } = string.Empty;

    /// <summary>SHA-1 thumbprint of the certificate the gateway serves (the bench's clients trust only it).</summary>
    public string CertificateHash => _app.Services.GetRequiredService<Gateway.Api.Tls.GatewayCertificate>().Certificate.GetCertHashString();

    public int HttpsPort { get; }

    public int HttpPort { get; }

    public SessionManager Sessions { get; }

    public TunnelRelay Relay { get; }

    /// <summary>The gateway's services (figure 12 reaches its agents).</summary>
    public IServiceProvider Services => _app.Services;

    public string CaDirectory => Path.Combine(DataDirectory, "tls", "ca");

    public string Endpoint(bool tls) => tls ? $"wss://127.0.0.1:{HttpsPort}" : $"ws://127.0.0.1:{HttpPort}";

    public static async Task<BenchGateway> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("gateway-bench-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ApplicationName = typeof(GatewayOptions).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration["Gateway:DataDirectory"] = dataDirectory;
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["Auth:AdminPassword"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string adminApiKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        builder.Configuration["Auth:AdminApiKey"] = adminApiKey;

        // The WS (no TLS) variants of the figures need the relay on the plain listener too (loopback only).
        builder.Configuration["Relay:AllowPlainHttp"] = "true";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.WebHost.UseUrls("https://127.0.0.1:0", "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddGateway();
        var app = builder.Build();
        app.UseGateway();
        await app.StartAsync().WaitAsync(StartTimeout);
        return new BenchGateway(app, dataDirectory) { AdminApiKey = adminApiKey };
    }

    /// <summary>A relay tunnel with the given service ids.</summary>
    public async Task<CreatedTunnel> CreateTunnelAsync(params string[] services)
    {
        var result = await Relay.CreateAsync(new CreateTunnelRequest(services, Description: "bench"), CancellationToken.None);
        return result.Created ?? throw new InvalidOperationException("the relay refused the tunnel: " + string.Join("; ", result.Errors.SelectMany(e => e.Value)));
    }

    public SessionSpec Spec(SessionMode mode, string accessToken, string services, bool tls, ProxySettings settings) => new()
    {
        Name = "bench " + mode.ToString().ToLowerInvariant(),
        Mode = mode,
        Endpoint = Endpoint(tls),
        AccessToken = accessToken,
        Services = services,
        CaPath = tls ? CaDirectory : null,
        BindAddress = mode == SessionMode.Source ? "127.0.0.1" : null,
        Settings = settings,
    };

    /// <summary>
    /// Starts the destination (services mapped to <paramref name="destinations"/>) and the source
    /// (listening on free ports) of a new tunnel, and waits until both are connected. Returns the
    /// source's listen port per service, in order.
    /// </summary>
    public async Task<TunnelPair> StartPairAsync(IReadOnlyList<(string Service, int DestinationPort)> destinations, bool tls, ProxySettings settings)
    {
        var tunnel = await CreateTunnelAsync([.. destinations.Select(d => d.Service)]);
        var destination = Sessions.Start(Spec(SessionMode.Destination, tunnel.DestinationAccessToken,
            string.Join(',', destinations.Select(d => $"{d.Service}=127.0.0.1:{d.DestinationPort}")), tls, settings));
        if (!destination.Started)
        {
            throw new InvalidOperationException("destination: " + string.Join("; ", destination.Errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        for (int attempt = 0; ; attempt++)
        {
            var ports = destinations.Select(_ => FreePort()).ToArray();
            var source = Sessions.Start(Spec(SessionMode.Source, tunnel.SourceAccessToken,
                string.Join(',', destinations.Select((d, i) => $"{d.Service}={ports[i]}")), tls, settings));
            if (source.Started)
            {
                var pair = new TunnelPair(tunnel.Tunnel.Id, source.Session!.Id, destination.Session!.Id, ports);
                await SessionWaiter.WaitConnectedAsync(Sessions, [pair.SourceId, pair.DestinationId], TimeSpan.FromSeconds(60));
                return pair;
            }

            if (!source.IsConflict || attempt == 5)
            {
                throw new InvalidOperationException("source: " + string.Join("; ", source.Errors.Select(e => $"{e.Field}: {e.Message}")));
            }
        }
    }

    public async Task StopPairAsync(TunnelPair pair)
    {
        await Task.WhenAll(Sessions.StopAsync(pair.SourceId), Sessions.StopAsync(pair.DestinationId));
        Sessions.Remove(pair.SourceId);
        Sessions.Remove(pair.DestinationId);
        await Relay.CloseAsync(pair.TunnelId, CancellationToken.None);
    }

    public static int FreePort()
    {
        using var listener = Loopback.Listen(1);
        return Loopback.Port(listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(StartTimeout);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
