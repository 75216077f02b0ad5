using Gateway.Engine.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Engine;

/// <summary>Registers the built-in relay. The host may register its own <see cref="ITunnelStore"/> first.</summary>
public static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddTunnelRelay(this IServiceCollection services, Action<RelayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RelayOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITunnelStore, InMemoryTunnelStore>();
        services.TryAddSingleton<TunnelRelay>();
        return services;
    }
}
