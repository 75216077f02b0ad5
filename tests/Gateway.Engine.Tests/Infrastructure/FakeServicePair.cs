namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>A fake service plus one upgraded <see cref="MaskedWsClient"/>.</summary>
internal sealed class FakeServicePair : IAsyncDisposable
{
    private readonly FakeTunnelService? _ownedService;

    private FakeServicePair(FakeTunnelService? ownedService, FakeConnection connection, MaskedWsClient client)
    {
        _ownedService = ownedService;
        Connection = connection;
        Client = client;
    }

    public FakeConnection Connection { get; }

    public MaskedWsClient Client { get; }

    public static async Task<FakeServicePair> OpenAsync(FakeTunnelService? service = null)
    {
        var owned = service is null ? await FakeTunnelService.StartAsync() : null;
        var target = service ?? owned!;
        var connecting = MaskedWsClient.ConnectAsync(target.Url);
        var connection = await target.AcceptAsync();
        var client = await connecting;
        Assert.Equal(101, client.StatusCode);
        return new FakeServicePair(owned, connection, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Connection.DisposeAsync();
        if (_ownedService is not null)
        {
            await _ownedService.DisposeAsync();
        }
    }
}
