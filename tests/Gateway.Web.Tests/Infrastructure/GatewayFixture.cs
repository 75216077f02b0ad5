namespace Gateway.Web.Tests.Infrastructure;

/// <summary>One real gateway per test class; each test makes its own tunnels and sessions on it.</summary>
public class GatewayFixture : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?>? _settings;
    private TestGateway? _gateway;

    public GatewayFixture()
        : this(null)
    {
    }

    /// <summary>A gateway with these configuration values on top of the test defaults.</summary>
    protected GatewayFixture(IReadOnlyDictionary<string, string?>? settings) => _settings = settings;

    internal TestGateway Gateway => _gateway ?? throw new InvalidOperationException("the gateway is not started");

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(_settings);

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
