using System.Net;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hosting;

public sealed class GatewayHostTests
{
    [Fact]
    public async Task StartCreatesTheSqliteDatabaseInTheDataDirectory()
    {
        await using var gateway = await TestGateway.StartAsync();

        Assert.True(File.Exists(Path.Combine(gateway.DataDirectory, "gateway.db")));
        Assert.Contains(gateway.Logs.Lines, l => l.EventId == 2101);
    }

    [Fact]
    public async Task HealthIsOk()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ok", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoGatewaysRunSideBySideWithTheirOwnDataDirectories()
    {
        await using var first = await TestGateway.StartAsync();
        await using var second = await TestGateway.StartAsync();

        Assert.NotEqual(first.HttpsBase.Port, second.HttpsBase.Port);
        var tunnel = await first.CreateTunnelAsync("SSH");
        using var client = second.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/relay/tunnels/{tunnel.TunnelId}")).StatusCode);
    }
}
