namespace Gateway.Testing.Hosting;

/// <summary>One gateway per test class; each test creates its own relay tunnels on it.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private TestGateway? _gateway;

    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("the gateway is not started");

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
