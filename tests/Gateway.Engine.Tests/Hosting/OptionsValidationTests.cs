using Gateway.Engine.Relay;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Engine.Tests.Hosting;

/// <summary>AddTunnelEngine() and AddTunnelRelay() validate their options when the host starts.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public async Task TheDefaultsAreValid()
    {
        await using var provider = Provider(_ => { }, _ => { });

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(provider.GetRequiredService<SessionManager>());
        Assert.NotNull(provider.GetRequiredService<TunnelRelay>());
    }

    [Theory]
    [InlineData("MaxMessageSize", "Relay:MaxMessageSize")]
    [InlineData("MaxLifetimeMinutes", "Relay:MaxLifetimeMinutes")]
    [InlineData("DefaultLifetimeMinutes", "Relay:DefaultLifetimeMinutes")]
    [InlineData("MaxServicesPerTunnel", "Relay:MaxServicesPerTunnel")]
    [InlineData("MaxUpgradeRequestBytes", "Relay:MaxUpgradeRequestBytes")]
    [InlineData("OutboundQueueCapacity", "Relay:OutboundQueueCapacity")]
    [InlineData("MaxOpenTunnels", "Relay:MaxOpenTunnels")]
    [InlineData("ClosedTunnelRetention", "Relay:ClosedTunnelRetention")]
    [InlineData("Region", "Relay:Region")]
    [InlineData("AccountId", "Relay:AccountId")]
    [InlineData("CloseTimeout", "Relay:CloseTimeout")]
    [InlineData("RejectedHandshakeLogLimit", "Relay:RejectedHandshakeLogLimit")]
    [InlineData("RejectedHandshakeLogWindow", "Relay:RejectedHandshakeLogWindow")]
    [InlineData("RejectedHandshakeLogMaxAddresses", "Relay:RejectedHandshakeLogMaxAddresses")]
    public void ABadRelayOptionStopsTheStartNamingIt(string option, string named)
    {
        using var provider = Provider(_ => { }, o => Spoil(o, option));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(named + " ", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CounterInterval")]
    [InlineData("ConnectTimeout")]
    [InlineData("MaxFinishedSessions")]
    public void ABadEngineOptionStopsTheStartNamingIt(string option)
    {
        using var provider = Provider(o => Spoil(o, option), _ => { });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.StartsWith($"SessionManagerOptions.{option} ", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsNamedAtOnce()
    {
        using var provider = Provider(_ => { }, o =>
        {
            o.MaxMessageSize = 10;
            o.AccountId = "x";
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(2, error.Failures.Count());
    }

    private static ServiceProvider Provider(Action<SessionManagerOptions> engine, Action<RelayOptions> relay)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddTunnelEngine(engine);
        services.AddTunnelRelay(relay);
        return services.BuildServiceProvider();
    }

    private static void Spoil(RelayOptions o, string option)
    {
        switch (option)
        {
            case "MaxMessageSize": o.MaxMessageSize = RelayOptionsValidator.MinMessageSize - 1; break;
            case "MaxLifetimeMinutes": o.MaxLifetimeMinutes = 0; o.DefaultLifetimeMinutes = 1; break;
            case "DefaultLifetimeMinutes": o.DefaultLifetimeMinutes = o.MaxLifetimeMinutes + 1; break;
            case "MaxServicesPerTunnel": o.MaxServicesPerTunnel = 0; break;
            case "MaxUpgradeRequestBytes": o.MaxUpgradeRequestBytes = 100; break;
            case "OutboundQueueCapacity": o.OutboundQueueCapacity = 0; break;
            case "MaxOpenTunnels": o.MaxOpenTunnels = 0; break;
            case "ClosedTunnelRetention": o.ClosedTunnelRetention = TimeSpan.FromSeconds(-1); break;
            case "Region": o.Region = "US East"; break;
            case "AccountId": o.AccountId = "00000000000a"; break;
            case "CloseTimeout": o.CloseTimeout = TimeSpan.Zero; break;
            case "RejectedHandshakeLogLimit": o.RejectedHandshakeLogLimit = -1; break;
            case "RejectedHandshakeLogWindow": o.RejectedHandshakeLogWindow = TimeSpan.Zero; break;
            case "RejectedHandshakeLogMaxAddresses": o.RejectedHandshakeLogMaxAddresses = 0; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }
    }

    private static void Spoil(SessionManagerOptions o, string option)
    {
        switch (option)
        {
            case "CounterInterval": o.CounterInterval = TimeSpan.Zero; break;
            case "ConnectTimeout": o.ConnectTimeout = TimeSpan.FromSeconds(-1); break;
            case "MaxFinishedSessions": o.MaxFinishedSessions = -1; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }
    }
}
