using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Engine;

/// <summary>Registers the session engine (<see cref="SessionManager"/>).</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SessionManager"/> as a singleton, its <see cref="SessionManagerOptions"/> and
    /// <see cref="TimeProvider.System"/>, each only if not registered already.
    /// </summary>
    /// <param name="services">The host's service collection.</param>
    /// <param name="configure">Sets the session manager's options; null keeps the defaults (or what the host configured).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
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
