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
    public async Task TheDashboardIsServedAtTheRootAndItsOldAddressRedirectsThere()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient(apiKey: null);

        using var root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("/", root.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        string html = await root.Content.ReadAsStringAsync();
        Assert.Contains("<title>TunnelGateway</title>", html, StringComparison.Ordinal);

        // Its relative references resolve against / and are served.
        foreach (var asset in new[] { "js/app.js", "css/app.css", "favicon.svg", "lib/signalr.min.js" })
        {
            Assert.Contains($"\"{asset}\"", html, StringComparison.Ordinal);
            using var response = await client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }

        // Bookmarks of the old address land on /.
        using var old = await client.GetAsync("/_content/Gateway.Web/index.html");
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal("/", old.RequestMessage!.RequestUri!.AbsolutePath);

        // A POST / that is not an AWS call is still not the dashboard.
        using var post = await client.PostAsync("/", new StringContent("{}"));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
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
