using System.Text;
using System.Text.Json;
using Gateway.Engine.Relay;
using Gateway.Engine.Relay.Management;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Engine.Tests.Relay.Management;

/// <summary>The management API over a relay with a fake clock and a store that outlives the relay (a restart).</summary>
public sealed class RelayManagementApiTests : IDisposable
{
    private static readonly ManagementCaller Operator = new("alice", MayChange: true);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryTunnelStore _store = new();
    private readonly List<TunnelRelay> _relays = [];

    [Fact]
    public async Task TunnelsKeepTheirConfigurationAcrossARestart()
    {
        var api = await StartAsync();
        var opened = await CallAsync(api, "OpenTunnel", """{"description": "pump", "destinationConfig": {"thingName": "pump-17", "services": ["SSH"]}, "tags": [{"key": "env", "value": "dev"}], "timeoutConfig": {"maxLifetimeTimeoutMinutes": 90}}""");
        string id = opened.GetProperty("tunnelId").GetString()!;
        _time.Advance(TimeSpan.FromMinutes(3));
        await CallAsync(api, "TagResource", $$"""{"resourceArn": "{{api.ArnOf(id)}}", "tags": [{"key": "site", "value": "north"}]}""");

        var restarted = await StartAsync();
        var tunnel = (await CallAsync(restarted, "DescribeTunnel", $$"""{"tunnelId": "{{id}}"}""")).GetProperty("tunnel");
        Assert.Equal("pump", tunnel.GetProperty("description").GetString());
        Assert.Equal("pump-17", tunnel.GetProperty("destinationConfig").GetProperty("thingName").GetString());
        Assert.Equal(90, tunnel.GetProperty("timeoutConfig").GetProperty("maxLifetimeTimeoutMinutes").GetInt32());
        Assert.Equal(["env", "site"], tunnel.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString()));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), tunnel.GetProperty("lastUpdatedAt").GetDouble());
        Assert.Equal(_time.GetUtcNow().AddMinutes(-3).ToUnixTimeSeconds(), tunnel.GetProperty("createdAt").GetDouble());
    }

    [Fact]
    public async Task ClosedTunnelsArePrunedAfterTheRetentionAndOpenOnesAreNot()
    {
        var api = await StartAsync();
        string closed = (await CallAsync(api, "OpenTunnel", "{}")).GetProperty("tunnelId").GetString()!;
        string open = (await CallAsync(api, "OpenTunnel", "{}")).GetProperty("tunnelId").GetString()!;
        await CallAsync(api, "CloseTunnel", $$"""{"tunnelId": "{{closed}}"}""");

        _time.Advance(TimeSpan.FromHours(23));
        await _relays[^1].PruneAsync(CancellationToken.None);
        Assert.Equal(2, (await CallAsync(api, "ListTunnels", "{}")).GetProperty("tunnelSummaries").GetArrayLength());

        _time.Advance(TimeSpan.FromHours(2));
        await _relays[^1].PruneAsync(CancellationToken.None);
        var listed = (await CallAsync(api, "ListTunnels", "{}")).GetProperty("tunnelSummaries");
        Assert.Equal([open], listed.EnumerateArray().Select(t => t.GetProperty("tunnelId").GetString()));
        Assert.Single(await _store.LoadAllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task PagesWalkEveryTunnelNewestFirstEvenWhenTunnelsOpenInBetween()
    {
        var api = await StartAsync();
        var ids = new List<string>();
        for (int i = 0; i < 7; i++)
        {
            ids.Add((await CallAsync(api, "OpenTunnel", "{}")).GetProperty("tunnelId").GetString()!);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await CallAsync(api, "ListTunnels", next is null ? """{"maxResults": 3}""" : $$"""{"maxResults": 3, "nextToken": "{{next}}"}""");
            seen.AddRange(page.GetProperty("tunnelSummaries").EnumerateArray().Select(t => t.GetProperty("tunnelId").GetString()!));
            next = page.TryGetProperty("nextToken", out var token) ? token.GetString() : null;
            await CallAsync(api, "OpenTunnel", "{}");
        }
        while (next is not null);

        ids.Reverse();
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task AViewerReadsButChangesNothing()
    {
        var api = await StartAsync();
        var result = await api.InvokeAsync("OpenTunnel", Encoding.UTF8.GetBytes("{}"), new ManagementCaller("bob", MayChange: false), CancellationToken.None);
        Assert.Equal("AccessDeniedException", result.Error?.Type);
        Assert.Empty(_relays[^1].List());
        Assert.Null((await api.InvokeAsync("ListTunnels", Encoding.UTF8.GetBytes("{}"), new ManagementCaller("bob", MayChange: false), CancellationToken.None)).Error);
    }

    public void Dispose()
    {
        foreach (var relay in _relays)
        {
            relay.Dispose();
        }
    }

    private async Task<RelayManagementApi> StartAsync()
    {
        var relay = new TunnelRelay(_store, _time, Options.Create(new RelayOptions()), NullLogger<TunnelRelay>.Instance);
        await relay.InitializeAsync(CancellationToken.None);
        _relays.Add(relay);
        return new RelayManagementApi(relay);
    }

    private static async Task<JsonElement> CallAsync(RelayManagementApi api, string operation, string json)
    {
        var result = await api.InvokeAsync(operation, Encoding.UTF8.GetBytes(json), Operator, CancellationToken.None);
        Assert.True(result.Error is null, $"{operation}: {result.Error}");
        using var document = JsonDocument.Parse(result.Body);
        return document.RootElement.Clone();
    }
}
