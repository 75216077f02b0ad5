using Gateway.Api.Relay;

namespace Gateway.Api.Agents;

/// <summary>The agents (device side) and the relay's notification publisher.</summary>
internal static class AgentsServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayAgents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentsOptions>().Bind(configuration.GetSection(AgentsOptions.SectionName)).ValidateDataAnnotations()
            .Validate(
                o => o.ReconnectDelay > TimeSpan.Zero && o.MaxReconnectDelay >= o.ReconnectDelay && o.KeepAlive >= TimeSpan.FromSeconds(5)
                    && o.ConnectTimeout > TimeSpan.Zero && o.CoalesceWindow >= TimeSpan.Zero && o.CoalesceWindow <= TimeSpan.FromSeconds(10),
                "Agents: ReconnectDelay must be positive and at most MaxReconnectDelay, KeepAlive at least 5 seconds, ConnectTimeout positive, CoalesceWindow 0 to 10 seconds.")
            .ValidateOnStart();
        services.AddSingleton<AgentSecrets>();
        services.AddSingleton<AgentNotices>();
        services.AddSingleton<AgentSessions>();
        services.AddSingleton<AgentRuntime>();
        services.AddHostedService(provider => provider.GetRequiredService<AgentRuntime>());
        services.Configure<RelayNotificationsOptions>(configuration.GetSection(RelayNotificationsOptions.SectionName));
        services.AddSingleton<RelayNotificationPublisher>();
        services.AddHostedService(provider => provider.GetRequiredService<RelayNotificationPublisher>());
        return services;
    }
}
