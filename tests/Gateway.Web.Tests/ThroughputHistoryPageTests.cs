using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Api.Throughput;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>The session page draws the throughput history the gateway kept, so a tab opened after the traffic still shows it.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ThroughputHistoryPageTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private const int PayloadSize = 512 * 1024;

    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task ANewTabShowsTrafficThatHappenedBeforeItWasOpened()
    {
        using var echo = EchoServer.Start();
        var tunnel = await DemoTunnel.OpenAsync(Gateway, echo.Port);
        using (var socket = await Tcp.ConnectAsync(tunnel.SourcePort))
        {
            Assert.Equal(PayloadSize, (await Tcp.EchoAsync(socket, Tcp.RandomBytes(PayloadSize))).Length);
        }

        // The sample the gateway takes every 5 s, taken now (the test drives the sampler instead of waiting for it).
        await Gateway.WaitForSessionAsync(tunnel.SourceSessionId, s => s.GetProperty("bytesToTunnel").GetInt64() == PayloadSize);
        Gateway.Services.GetRequiredService<ThroughputHistory>().Sample();
        using (var client = Gateway.CreateClient())
        {
            var history = await client.GetFromJsonAsync<JsonElement>($"/api/tunnels/{tunnel.SourceSessionId}/throughput");
            Assert.Contains(history.GetProperty("toTunnel").EnumerateArray(), rate => rate.GetDouble() > 0);
        }

        // Only now is a tab opened: no live samples of that traffic, yet the history shows it.
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync($"#/sessions/{tunnel.SourceSessionId}");
        var page = dashboard.Page;
        var chart = page.Locator("#throughput-history");
        await Expect(chart).Not.ToHaveAttributeAsync("data-points", "0");
        await Expect(page.Locator("#throughput-history-summary")).ToContainTextAsync("every 5 s");
        await Expect(page.Locator("#throughput-history-summary")).Not.ToContainTextAsync("peak ↑ 0 B/s");
        await Expect(chart.Locator("canvas")).ToBeVisibleAsync();

        // Another range asks the server for minute averages.
        await page.Locator("#throughput-range").SelectOptionAsync("24h");
        await Expect(page.Locator("#throughput-history-summary")).ToContainTextAsync("minute averages");
        await dashboard.ScreenshotAsync("session-throughput-history-1280-full", fullPage: true);
        dashboard.AssertNoErrors();
    }
}
