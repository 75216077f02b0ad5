using Gateway.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>Traffic and state changes reach an open page over the hub, without a reload.</summary>
[Collection(DashboardCollection.Name)]
public sealed class LiveUpdatesTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private const int PayloadSize = 256 * 1024;

    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task DemoTunnelFromTheRelayPageShowsItsBytesAndSparklineLive()
    {
        using var echo = EchoServer.Start();
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;

        // Open the demo tunnel from the relay page; its answer names the source's port.
        await dashboard.GoToAsync("#/relay");
        await page.Locator("#demo-destination").FillAsync($"SSH=127.0.0.1:{echo.Port}");
        await page.Locator("#open-demo-tunnel").ClickAsync();
        var portElement = page.Locator("#demo-result [data-source-port]").First;
        await Expect(portElement).ToBeVisibleAsync();
        string portText = await portElement.GetAttributeAsync("data-source-port") is { Length: > 0 } attribute ? attribute : (await portElement.TextContentAsync())!.Trim();
        int port = int.Parse(portText, System.Globalization.CultureInfo.InvariantCulture);
        string href = (await page.Locator("#demo-result a[data-demo-session=\"source\"]").GetAttributeAsync("href"))!;
        Assert.StartsWith("#/sessions/", href, StringComparison.Ordinal);
        string sessionId = href["#/sessions/".Length..];
        string destinationId = (await page.Locator("#demo-result a[data-demo-session=\"destination\"]").GetAttributeAsync("href"))!["#/sessions/".Length..];

        // The source listens on that port (a snapshot names its services once connected).
        await Gateway.WaitForSessionAsync(sessionId, s => s.GetProperty("services").EnumerateArray().Any(service =>
            service.GetProperty("listenPort") is { ValueKind: System.Text.Json.JsonValueKind.Number } listen && listen.GetInt32() == port));

        await dashboard.GoToAsync("#/sessions");
        await dashboard.MarkDocumentAsync();
        await Expect(Rows.Cell(page, sessionId, "state")).ToHaveTextAsync("Connected");
        await new DemoTunnel(string.Empty, sessionId, destinationId, port).WaitReadyAsync(Gateway);
        Assert.Equal(0L, await Rows.ValueAsync(page, sessionId, "bytesToTunnel"));
        Assert.Equal(0L, await Rows.ValueAsync(page, sessionId, "bytesFromTunnel"));
        string toBefore = (await Rows.Cell(page, sessionId, "bytesToTunnel").TextContentAsync())!;
        Assert.Equal(0, await Rows.SparklineUpperPixelsAsync(page, sessionId));
        string sparklineBefore = await Rows.SparklineImageAsync(page, sessionId);
        Assert.NotEmpty(sparklineBefore);

        // 256 KiB through the tunnel and back, with the connection left open.
        using var socket = await Tcp.ConnectAsync(port);
        var payload = Tcp.RandomBytes(PayloadSize);
        Assert.Equal(payload, await Tcp.EchoAsync(socket, payload));

        await Expect(Rows.Cell(page, sessionId, "bytesToTunnel")).ToHaveAttributeAsync("data-value", PayloadSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(Rows.Cell(page, sessionId, "bytesFromTunnel")).ToHaveAttributeAsync("data-value", PayloadSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(Rows.Cell(page, sessionId, "bytesToTunnel")).Not.ToHaveTextAsync(toBefore);
        await Expect(Rows.Cell(page, sessionId, "bytesToTunnel")).ToHaveTextAsync("256 KiB");
        await Expect(Rows.Cell(page, sessionId, "connections")).ToHaveTextAsync("1");
        await Rows.WaitForSparklinePeakAsync(page, sessionId);
        Assert.NotEqual(sparklineBefore, await Rows.SparklineImageAsync(page, sessionId));
        await dashboard.AssertNotReloadedAsync();
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task StopOnTheSessionPageEndsItAndEveryOpenPageShowsStopped()
    {
        using var echo = EchoServer.Start();
        var tunnel = await DemoTunnel.OpenAsync(Gateway, echo.Port);
        using var socket = await Tcp.ConnectAsync(tunnel.SourcePort);
        var payload = Tcp.RandomBytes(4096);
        Assert.Equal(payload, await Tcp.EchoAsync(socket, payload));

        // A second tab watches the list: the stop must reach it over the hub.
        await using var watcher = await DashboardPage.OpenAsync(browser, Gateway, output);
        await watcher.LoginAsync();
        await watcher.MarkDocumentAsync();
        await Expect(Rows.Cell(watcher.Page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Connected");

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;
        await Rows.Row(page, tunnel.SourceSessionId).Locator("[data-field=\"name\"]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/sessions/{tunnel.SourceSessionId}$"));
        await dashboard.MarkDocumentAsync();
        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("button[data-reset-connection=\"SSH.1\"]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-field=\"bytesToTunnel\"]")).ToHaveAttributeAsync("data-value", "4096");

        // Stop asks for a second click, like every other destructive action.
        await page.Locator("#stop-session").ClickAsync();
        await Expect(page.Locator("#stop-session")).ToHaveTextAsync("Really stop?");
        await page.Locator("#stop-session").ClickAsync();

        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Stopped");
        await Expect(page.Locator("#stop-session")).ToBeHiddenAsync();
        await Expect(page.Locator("button[data-reset-connection=\"SSH.1\"]")).ToHaveCountAsync(0);
        await Expect(Rows.Cell(watcher.Page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Stopped");
        await Expect(Rows.Row(watcher.Page, tunnel.SourceSessionId).Locator("[data-stop-session]")).ToBeHiddenAsync();
        await Tcp.WaitClosedAsync(socket); // the local connection ends with the session (FIN or reset; bounded)

        // Back on the list in the same tab: Stopped there too.
        await dashboard.GoToAsync("#/sessions");
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Stopped");
        await dashboard.AssertNotReloadedAsync();
        await watcher.AssertNotReloadedAsync();
        var stopped = await Gateway.WaitForSessionAsync(tunnel.SourceSessionId, s => s.GetProperty("state").GetString() == "Stopped");
        Assert.Equal("Stopped", stopped.GetProperty("state").GetString());
        dashboard.AssertNoErrors();
        watcher.AssertNoErrors();
    }

    [Fact]
    public async Task ScreenshotsOfTheSessionsAndSessionPages()
    {
        using var echo = EchoServer.Start();
        var tunnels = new List<DemoTunnel>();
        for (int i = 0; i < 3; i++)
        {
            tunnels.Add(await DemoTunnel.OpenAsync(Gateway, echo.Port));
        }

        // Traffic on two of them, a connection left open on the first.
        using var open = await Tcp.ConnectAsync(tunnels[0].SourcePort);
        Assert.Equal(PayloadSize, (await Tcp.EchoAsync(open, Tcp.RandomBytes(PayloadSize))).Length);
        using (var other = await Tcp.ConnectAsync(tunnels[1].SourcePort))
        {
            Assert.Equal(64 * 1024, (await Tcp.EchoAsync(other, Tcp.RandomBytes(64 * 1024))).Length);
        }

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;
        string first = tunnels[0].SourceSessionId;
        await Expect(Rows.Cell(page, first, "bytesToTunnel")).ToHaveAttributeAsync("data-value", PayloadSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // A second burst while the page is open, so the sparkline has a peak to draw.
        Assert.Equal(PayloadSize, (await Tcp.EchoAsync(open, Tcp.RandomBytes(PayloadSize))).Length);
        await Rows.WaitForSparklinePeakAsync(page, first);
        await dashboard.ScreenshotAsync("sessions-1280x800");

        await dashboard.GoToAsync($"#/sessions/{first}");
        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("button[data-reset-connection=\"SSH.1\"]")).ToBeVisibleAsync();
        await Expect(page.Locator("#session-log li").First).ToBeVisibleAsync();
        await dashboard.ScreenshotAsync("session-detail-1280x800");
        await dashboard.ScreenshotAsync("session-detail-1280-full", fullPage: true);

        await using var narrow = await DashboardPage.OpenAsync(browser, Gateway, output, width: 390, height: 844);
        await narrow.LoginAsync();
        await Expect(Rows.Cell(narrow.Page, first, "state")).ToHaveTextAsync("Connected");
        await narrow.ScreenshotAsync("sessions-390x844");
        dashboard.AssertNoErrors();
        narrow.AssertNoErrors();
    }
}
