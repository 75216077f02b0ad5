namespace Gateway.Web.Tests.Infrastructure;

/// <summary>One real gateway per test class; each test makes its own tunnels and sessions on it.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private TestGateway? _gateway;

    internal TestGateway Gateway => _gateway ?? throw new InvalidOperationException("the gateway is not started");

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
