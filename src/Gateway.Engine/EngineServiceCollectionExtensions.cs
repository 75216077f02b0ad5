using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Engine;

/// <summary>Registers the session engine (<see cref="SessionManager"/>).</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="SessionManager"/> (and <see cref="TimeProvider.System"/> unless one is
    /// registered). Its <see cref="SessionManagerOptions"/> are validated when the host starts: a bad value
    /// stops the start with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming it.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options, beside any other configuration of them.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddTunnelEngine(this IServiceCollection services, Action<SessionManagerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SessionManagerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionManagerOptions>, SessionManagerOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SessionManager>();
        return services;
    }
}
