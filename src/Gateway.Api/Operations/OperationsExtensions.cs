using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Gateway.Api.Operations;

/// <summary>
/// Operations endpoints: <c>/readyz</c> (readiness: database and engine) and <c>/metrics</c>
/// (OpenTelemetry metrics in the Prometheus text format). <c>/healthz</c> (liveness) stays in
/// GatewayHostingExtensions: it checks nothing.
/// </summary>
internal static class OperationsExtensions
{
    // A locked or stuck database must not hold a probe for SQLite's 30 s busy timeout.
    private static readonly TimeSpan DatabaseCheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddGatewayOperations(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, HealthStatus.Unhealthy, [ReadinessApi.ReadyTag], DatabaseCheckTimeout)
            .AddCheck<EngineHealthCheck>(EngineHealthCheck.Name, HealthStatus.Unhealthy, [ReadinessApi.ReadyTag]);

        // The MeterProvider builds GatewayMetrics when the host starts (an "instrumentation"), so
        // its session events are subscribed before any session can start.
        services.AddSingleton<GatewayMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("tunnelgateway"))
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName)
                .AddInstrumentation(provider => provider.GetRequiredService<GatewayMetrics>())
                .AddPrometheusExporter());
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) => metrics.AddView(OnlyThisHost(provider.GetRequiredService<IMeterFactory>())));
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReadiness();
        endpoints.MapPrometheusScrapingEndpoint("/metrics")
            .WithTags("Operations")
            .WithSummary("Metrics (meter TunnelGateway) in the Prometheus text format");
        return endpoints;
    }

    /// <summary>
    /// OpenTelemetry subscribes to meters by name, process-wide: without this view a second gateway
    /// in the process (tests do that) would export the first one's instruments too, under the same
    /// names. Instruments of our meter from another host's <see cref="IMeterFactory"/> are dropped.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory factory) => instrument =>
        instrument.Meter.Name == GatewayMetrics.MeterName && !ReferenceEquals(instrument.Meter.Scope, factory) ? MetricStreamConfiguration.Drop : null;
}
