using Gateway.Engine.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Engine;

/// <summary>Registers the built-in relay. The host may register its own <see cref="ITunnelStore"/> first.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="TunnelRelay"/>, an in-memory <see cref="ITunnelStore"/> unless one is
    /// registered, and <see cref="TimeProvider.System"/> unless one is. Its <see cref="RelayOptions"/> are
    /// validated when the host starts: a bad value stops the start with an
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming it (as <c>Relay:Name</c>).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options, beside any other configuration of them (such as a <c>Relay</c> section).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddTunnelRelay(this IServiceCollection services, Action<RelayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RelayOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>());
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
