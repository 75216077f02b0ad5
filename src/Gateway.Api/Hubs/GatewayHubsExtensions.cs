using System.Text.Json.Serialization;
using Gateway.Api.Auth;

namespace Gateway.Api.Hubs;

/// <summary>SignalR for the dashboard: the hub, its JSON (camelCase, enums as strings, as the REST API) and the broadcaster.</summary>
internal static class GatewayHubsExtensions
{
    public static IServiceCollection AddGatewayHubs(this IServiceCollection services)
    {
        services.AddSignalR().AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSingleton<SessionsHubBroadcaster>();
        services.AddSingleton<HubConnectionRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<SessionsHubBroadcaster>());
        services.AddSingleton<AgentsHubBroadcaster>();
        services.AddHostedService(provider => provider.GetRequiredService<AgentsHubBroadcaster>());
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHubs(this IEndpointRouteBuilder endpoints)
    {
        // Any logged-in role. Explicit, because the global role rule would ask admin for the
        // negotiate POST (outside /api/tunnels). A cookie connection ends when its login expires.
        endpoints.MapHub<SessionsHub>(SessionsHub.Path, hub => hub.CloseOnAuthenticationExpiration = true)
            .RequireAuthorization(AuthExtensions.AuthenticatedPolicy);
        return endpoints;
    }
}
