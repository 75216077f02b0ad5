using System.Text.RegularExpressions;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>
/// The sessions list as an operator uses it: services and listen ports, the live summary, confirmed
/// Stop and Disconnect, clearing ended sessions, "gateway unreachable" while it is down, and the relay
/// page showing a close at once.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class SessionsPageTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task RowsShowServicesAndPortsTheSummaryIsLiveStopAndDisconnectAskFirstAndEndedSessionsClear()
    {
        using var echo = EchoServer.Start();
        var tunnel = await DemoTunnel.OpenAsync(Gateway, echo.Port);
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        var page = dashboard.Page;

        // What an operator types: ssh -p <port>; and where the destination connects.
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "services")).ToHaveTextAsync($"SSH :{tunnel.SourcePort}");
        await Expect(Rows.Cell(page, tunnel.DestinationSessionId, "services")).ToHaveTextAsync($"SSH → 127.0.0.1:{echo.Port}");
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "name")).ToHaveTextAsync(new Regex("^demo SSH source · "));
        var summary = page.Locator("#sessions-summary");
        await Expect(summary).ToContainTextAsync("2 sessions: 2 connected · 0 open connections");

        // The summary follows a connection opening, without a reload.
        await dashboard.MarkDocumentAsync();
        using var socket = await Tcp.ConnectAsync(tunnel.SourcePort);
        Assert.Equal(4096, (await Tcp.EchoAsync(socket, Tcp.RandomBytes(4096))).Length);
        await Expect(summary).ToContainTextAsync("2 open connections");
        await dashboard.ScreenshotAsync("sessions-services-1280x800");

        // Disconnect on the session page asks first, then resets that connection only.
        await Rows.Row(page, tunnel.SourceSessionId).Locator("[data-field=\"name\"]").ClickAsync();
        var disconnect = page.Locator("button[data-reset-connection=\"SSH.1\"]");
        await disconnect.ClickAsync();
        await Expect(disconnect).ToHaveTextAsync("Really disconnect?");
        await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
        await disconnect.ClickAsync();
        await Expect(disconnect).ToHaveCountAsync(0);
        Assert.True(await Tcp.WaitClosedAsync(socket), "the reset connection stayed open");

        // Stop in the list asks first; the stopped session still names its service and port.
        await dashboard.GoToAsync("#/sessions");
        var stop = Rows.Row(page, tunnel.SourceSessionId).Locator("button[data-stop-session]");
        await stop.ClickAsync();
        await Expect(stop).ToHaveTextAsync("Really stop?");
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Connected");
        await stop.ClickAsync();
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Stopped");
        await Expect(Rows.Cell(page, tunnel.SourceSessionId, "services")).ToHaveTextAsync($"SSH :{tunnel.SourcePort}");
        await Expect(summary).ToContainTextAsync("1 connected, 1 stopped");

        // Clear ended: the stopped one goes (the history keeps it), the running one stays.
        await page.Locator("#sessions-clear-ended").ClickAsync();
        await Expect(Rows.Row(page, tunnel.SourceSessionId)).ToHaveCountAsync(0);
        await Expect(Rows.Cell(page, tunnel.DestinationSessionId, "state")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("#sessions-clear-ended")).ToBeDisabledAsync();
        Assert.DoesNotContain((await Gateway.ListSessionsAsync()).EnumerateArray(), s => s.GetProperty("id").GetString() == tunnel.SourceSessionId);
        await dashboard.AssertNotReloadedAsync();
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task AnAnswerThatArrivesAfterClearEndedDoesNotBringTheEndedSessionBack()
    {
        // A stop's REST answer can come after the hub has said "Stopped" and after "Clear ended" removed
        // the session: that late answer must not put the ended session back in the list (the button then
        // stayed enabled with nothing left to clear). A new session under the same id is still taken.
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();

        var seen = await dashboard.Page.EvaluateAsync<bool[]>(@"async () => {
            const live = await import('/js/hub.js');
            live.remember({ id: 'late-answer', state: 'Connected' });
            const before = live.allSessions().has('late-answer');
            live.forget(['late-answer']);
            live.remember({ id: 'late-answer', state: 'Stopped' });
            const afterLateAnswer = live.allSessions().has('late-answer');
            live.remember({ id: 'late-answer', state: 'Connecting' });
            const restarted = live.allSessions().has('late-answer');
            live.forget(['late-answer']);
            return [before, afterLateAnswer, restarted];
        }");

        Assert.Equal([true, false, true], seen);
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task RowsSayGatewayUnreachableWhileItIsDown()
    {
        using var echo = EchoServer.Start();
        var gateway = await TestGateway.StartAsync();
        await using var dashboard = await DashboardPage.OpenAsync(browser, gateway, output);
        try
        {
            var tunnel = await DemoTunnel.OpenAsync(gateway, echo.Port);
            await dashboard.LoginAsync();
            var page = dashboard.Page;
            await Expect(Rows.Cell(page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("Connected");
            await Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-status", "live");

            await gateway.StopAbruptlyAsync(TimeSpan.FromMilliseconds(500));

            // Not a stale "Connected": the rows and the summary say the gateway is not answering.
            await Expect(Rows.Cell(page, tunnel.SourceSessionId, "state")).ToHaveTextAsync("gateway unreachable");
            await Expect(Rows.Cell(page, tunnel.SourceSessionId, "stateReason")).ToHaveTextAsync(new Regex("^last known: "));
            await Expect(page.Locator("#sessions-summary")).ToContainTextAsync("gateway unreachable");
            await Expect(Rows.Row(page, tunnel.SourceSessionId).Locator("button[data-stop-session]")).ToBeHiddenAsync();
            await dashboard.ScreenshotAsync("sessions-unreachable-1280x800");
            Assert.Empty(dashboard.PageErrors);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheRelayPageShowsAClosedTunnelAtOnce()
    {
        var created = await Gateway.CreateTunnelAsync(["SSH"]);
        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/relay");
        var page = dashboard.Page;
        var row = page.Locator($"tr[data-tunnel-id=\"{created.TunnelId}\"]");
        await Expect(row.Locator("[data-field=\"state\"]")).ToHaveTextAsync("Open");

        // From now on the list is never read again: only the close's own answer can update the row.
        await page.RouteAsync(url => url.EndsWith("/api/relay/tunnels", StringComparison.Ordinal), _ => Task.CompletedTask);
        await page.Locator("#relay-show-closed").CheckAsync();
        var close = row.Locator($"button[data-close-tunnel=\"{created.TunnelId}\"]");
        await close.ClickAsync();
        await Expect(close).ToHaveTextAsync("Really close?");
        await close.ClickAsync();
        await Expect(row.Locator("[data-field=\"state\"]")).ToHaveTextAsync("Closed");
        await Expect(row.Locator($"button[data-close-tunnel]")).ToHaveCountAsync(0);
        Assert.Empty(dashboard.PageErrors);
    }
}
