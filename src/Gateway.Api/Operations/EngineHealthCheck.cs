using Gateway.Engine.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Operations;

/// <summary>
/// Readiness: the engine runs. The session manager exists, and the host has started, which it does
/// only after every hosted service started, GatewayStartup (migrations, relay tunnels loaded)
/// included. Once the host stops, the gateway is no longer ready.
/// </summary>
internal sealed class EngineHealthCheck : IHealthCheck
{
    public const string Name = "engine";

    private readonly IHostApplicationLifetime _lifetime;

    public EngineHealthCheck(SessionManager sessions, IHostApplicationLifetime lifetime)
    {
        // Resolving the session manager builds it: without an engine this check cannot even exist.
        ArgumentNullException.ThrowIfNull(sessions);
        _lifetime = lifetime;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = !_lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Unhealthy("The gateway is starting.")
            : _lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("The gateway is stopping.")
            : HealthCheckResult.Healthy();
        return Task.FromResult(result);
    }
}
