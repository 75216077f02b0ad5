using Gateway.Engine.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Engine;

/// <summary>Registers the built-in relay. The host may register its own <see cref="ITunnelStore"/> first.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TunnelRelay"/> as a singleton, its <see cref="RelayOptions"/>, an in-memory
    /// <see cref="ITunnelStore"/> (tunnels are lost at a restart) and <see cref="TimeProvider.System"/>,
    /// each only if not registered already.
    /// </summary>
    /// <param name="services">The host's service collection.</param>
    /// <param name="configure">Sets the relay's options; null keeps the defaults (or what the host configured).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
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
