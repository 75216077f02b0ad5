using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Engine;

/// <summary>Registers the session engine (<see cref="SessionManager"/>).</summary>
public static class EngineServiceCollectionExtensions
{
    public static IServiceCollection AddTunnelEngine(this IServiceCollection services, Action<SessionManagerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SessionManagerOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SessionManager>();
        return services;
    }
}
