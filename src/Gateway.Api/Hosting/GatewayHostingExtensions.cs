using System.Text.Json.Serialization;
using Gateway.Api.Agents;
using Gateway.Api.Audit;
using Gateway.Api.Aws;
using Gateway.Api.Auth;
using Gateway.Api.Clouds;
using Gateway.Api.Data;
using Gateway.Api.History;
using Gateway.Api.Hubs;
using Gateway.Api.Operations;
using Gateway.Api.Profiles;
using Gateway.Api.Relay;
using Gateway.Api.Sessions;
using Gateway.Api.Throughput;
using Gateway.Api.Tls;
using Gateway.Engine;
using Gateway.Engine.Relay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Api.Hosting;

/// <summary>Composition of the gateway host; Program.cs only calls these two.</summary>
internal static class GatewayHostingExtensions
{
    // Kestrel's buffering per connection each way (socket transport, request and response buffers): 128 KiB, not 1 MiB.
    private const int ReadAheadBytes = 128 * 1024;

    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        // The dashboard's assets come from Gateway.Web (a Razor class library) in every environment.
        builder.WebHost.UseStaticWebAssets();
        ListenAddresses.ApplyDefault(builder);
        StartupLogFilter.Add(builder);
        var services = builder.Services;
        var section = builder.Configuration.GetSection(GatewayOptions.SectionName);
        services.Configure<GatewayOptions>(section);
        var options = section.Get<GatewayOptions>() ?? new GatewayOptions();
        var dataDirectory = options.ResolveDataDirectory();
        if (options.AllowedOrigins.FirstOrDefault(o => !HubOriginCheck.TryParse(o, out _)) is { } badOrigin)
        {
            throw new GatewayStartupException($"Gateway:AllowedOrigins: '{badOrigin}' is not an origin; give scheme://host[:port], e.g. https://gateway.example.com.");
        }

        try
        {
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GatewayStartupException($"Gateway:DataDirectory {dataDirectory} cannot be created: {ex.Message}", ex);
        }

        var connectionString = options.Database ?? $"Data Source={Path.Combine(dataDirectory, "gateway.db")}";
        services.AddSingleton<DatabaseFaults>();
        services.AddSingleton<DatabaseFaultInterceptor>();
        services.AddDbContextFactory<GatewayDbContext>((provider, db) => db.UseSqlite(connectionString).AddInterceptors(provider.GetRequiredService<DatabaseFaultInterceptor>()));
        builder.AddGatewayAuth(dataDirectory);
        services.AddSingleton<SessionHistoryRecorder>();
        services.AddOptions<SessionsOptions>().Bind(builder.Configuration.GetSection(SessionsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SourcePortPolicy>();
        services.AddSingleton<SessionStarter>();
        services.AddSingleton<SessionResumption>();
        services.AddHostedService(provider => provider.GetRequiredService<SessionResumption>());
        services.AddSingleton<Clouds.GatewayCloudKey>();
        services.AddSingleton<Clouds.CloudDirectory>();
        services.AddSingleton<Clouds.CloudApiClient>();
        services.AddSingleton<Clouds.CloudAudit>();
        services.AddSingleton<Clouds.CloudTokenRenewer>();
        services.AddSingleton<Clouds.CloudSessions>();
        services.AddSingleton<RelayPairing>();
        services.AddGatewayAgents(builder.Configuration);

        services.AddSingleton<ITunnelStore, EfTunnelStore>();
        services.AddTunnelRelay();
        services.Configure<RelayOptions>(builder.Configuration.GetSection("Relay"));
        services.AddSingleton<Gateway.Engine.Relay.Management.RelayManagementApi>();
        services.AddSingleton<AwsAccessKeys>();
        services.AddOptions<AwsApiOptions>().Bind(builder.Configuration.GetSection(AwsApiOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RelayEndpointOptions>().Bind(builder.Configuration.GetSection("Relay"))
            .Validate(o => o.HasValidReceiveBuffer, "Relay:ReceiveBufferBytes must be 0 (the kernel's autotuning) or between 4096 and 67108864 bytes.").ValidateOnStart();
        services.AddSingleton<PairedTunnels>();
        services.AddTunnelEngine();
        services.AddHostedService<GatewayStartup>();
        services.AddGatewayOperations();
        services.AddGatewayProfiles();
        services.AddGatewayHubs();
        services.AddSingleton<ThroughputHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<ThroughputHistory>());

        services.AddSingleton<GatewayCertificate>();
        services.AddSingleton<ConnectionBudget>();
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>());
        builder.WebHost.UseSockets(sockets => sockets.MaxReadBufferSize = ReadAheadBytes);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Kestrel's buffers are queues no scheduler can reorder: what it holds in front of the
            // relay (read ahead, 1 MiB by default) or behind it (written, not yet sent, 1 MiB set
            // here before issue 18) is first-come first-served, and an interactive frame waits behind
            // all of it. 128 KiB each way, one whole tunnel message; the kernel's queue behind it is
            // as short (docs/performance.md, figure 9). Configuration (Kestrel:Limits) wins.
            if (!context.Configuration.GetSection("Kestrel:Limits:MaxResponseBufferSize").Exists())
            {
                kestrel.Limits.MaxResponseBufferSize = ReadAheadBytes;
            }

            if (!context.Configuration.GetSection("Kestrel:Limits:MaxRequestBufferSize").Exists())
            {
                kestrel.Limits.MaxRequestBufferSize = ReadAheadBytes;
            }

            // Every listener counts its connections against one cap derived from the open-file limit,
            // before TLS, so that a flood cannot exhaust the process's descriptors (ConnectionBudget).
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                var budget = kestrel.ApplicationServices.GetRequiredService<ConnectionBudget>();
                listen.Use(next => connection => budget.OnConnectionAsync(connection, next));
            });

            // Kestrel's own certificate settings win; otherwise the gateway's certificate.
            if (context.Configuration.GetSection("Kestrel:Certificates:Default").Exists())
            {
                return;
            }

            kestrel.ConfigureHttpsDefaults(https =>
                https.ServerCertificate ??= kestrel.ApplicationServices.GetRequiredService<GatewayCertificate>().Certificate);
        });

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ImportSizeLimit.Describe);
        services.AddGatewayOpenApi();
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseGateway(this WebApplication app)
    {
        // A certificate file that cannot be read stops the start here, with a message Program prints,
        // not later inside Kestrel's bind with a stack trace and an abort.
        if (!app.Configuration.GetSection("Kestrel:Certificates:Default").Exists())
        {
            app.Services.GetRequiredService<GatewayCertificate>().LoadExisting();
        }

        // The dashboard at /: a GET or HEAD of / is its index.html, served by the static-asset endpoint
        // (ETag, compression) as /index.html is; a WebSocket upgrade of / keeps its path, so the relay's
        // path check names it. POST / stays the AWS management API's (X-Amz-Target).
        app.Use((context, next) =>
        {
            if (context.Request.Path == "/" && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                && !context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Upgrade))
            {
                context.Request.Path = "/index.html";
            }

            return next(context);
        });
        app.UseRouting();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // KeepAliveInterval zero: .NET's keep-alive would send unsolicited pongs (fatal for the
        // reference proxy, docs/protocol.md section 4).
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.UseRelayPathCheck();

        // AWS JSON 1.1 at POST / (X-Amz-Target): SigV4 authenticates it, not the gateway's login.
        app.UseMiddleware<AwsManagementEndpoint>();
        app.UseHubOriginCheck();
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>();
        app.UseGatewayAuth();
        app.UseGatewayOpenApi();

        // Anonymous: the dashboard's files (its login page among them), liveness, and /tunnel
        // (tunnel access tokens authenticate it). Everything else needs a login (AuthExtensions).
        app.MapStaticAssets().AllowAnonymous();
        // The dashboard's address before it moved to /: bookmarks keep working.
        app.MapGet("/_content/Gateway.Web/index.html", () => Results.Redirect("/")).ExcludeFromDescription().AllowAnonymous();
        app.MapRelayEndpoint();
        app.MapRelayTunnelsApi();
        app.MapAwsKeysApi();
        app.MapTunnelsApi();
        app.MapCloudsApi();
        app.MapCloudTunnelsApi();
        app.MapAgentsApi();
        app.MapThroughputApi();
        app.MapProfilesApi();
        app.MapHistoryApi();
        app.MapGatewayHubs();
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health").WithSummary("Liveness").AllowAnonymous();
        app.MapGatewayOperations();
        return app;
    }
}
