using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>
/// 500 live sessions. Asserts behaviour (all are listed, the page answers clicks); measures how long
/// the page spends on one update round and prints it (artifacts/load-500.json): a benchmark's number,
/// not a pass/fail bound, since it depends on the machine.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class LoadTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private const int Pairs = 250;
    private const int Sessions = Pairs * 2;
    private const int RoundsToMeasure = 24;

    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task FiveHundredSessionsAreListedAndThePageStaysResponsive()
    {
        using var echo = EchoServer.Start();
        var started = Stopwatch.StartNew();
        var ports = await ManySessions.StartPairsAsync(Gateway, Pairs, echo.Port, pingPeriodMs: 1000);
        output.WriteLine($"{Sessions} sessions connected in {started.Elapsed.TotalSeconds:F1} s");

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        var page = dashboard.Page;
        await page.AddInitScriptAsync(scriptPath: Path.Combine(AppContext.BaseDirectory, "Infrastructure", "frame-probe.js"));
        await dashboard.LoginAsync();

        var summary = page.Locator("#sessions-summary");
        await Expect(summary).ToContainTextAsync($"{Sessions} sessions: {Sessions} connected");
        await Expect(page.Locator("#sessions-page-info")).ToContainTextAsync($"of {Sessions}");
        await Expect(page.Locator("#sessions-body tr[data-session-id]")).ToHaveCountAsync(50);

        // Traffic on the newest tunnels (the first page shows them) while measuring, besides every session's RTT.
        using var traffic = new CancellationTokenSource();
        var pushing = PushTrafficAsync(ports.TakeLast(20).ToList(), traffic.Token);
        try
        {
            var fifty = await MeasureAsync(page, "50 rows per page");

            // The largest page the dashboard offers: the most rows patched per round.
            var sizes = await page.Locator("#sessions-page-size option").EvaluateAllAsync<int[]>("options => options.map(o => Number(o.value))");
            int largest = sizes.Max();
            await page.Locator("#sessions-page-size").SelectOptionAsync(largest.ToString(CultureInfo.InvariantCulture));
            await Expect(page.Locator("#sessions-body tr[data-session-id]")).ToHaveCountAsync(largest);
            var largestPage = await MeasureAsync(page, $"{largest} rows per page");

            // Responsive while updates flow: paging and opening a session answer at once.
            var click = Stopwatch.StartNew();
            await page.Locator("#sessions-next").ClickAsync();
            await Expect(page.Locator("#sessions-page-info")).ToContainTextAsync($"{largest + 1}–{2 * largest} of {Sessions}");
            double pagingMs = click.Elapsed.TotalMilliseconds;
            var link = page.Locator("#sessions-body tr[data-session-id] [data-field=\"name\"]").First;
            string? id = await page.Locator("#sessions-body tr[data-session-id]").First.GetAttributeAsync("data-session-id");
            click.Restart();
            await link.ClickAsync();
            await Expect(page.Locator("#session-state")).ToHaveTextAsync("Connected");
            await Expect(page.Locator("[data-field=\"id\"]")).ToHaveTextAsync(id!);
            double openMs = click.Elapsed.TotalMilliseconds;
            output.WriteLine($"click to next page shown: {pagingMs:F0} ms; click to session page shown: {openMs:F0} ms (Playwright round trips included)");

            string report = JsonSerializer.Serialize(
                new { sessions = Sessions, fiftyRows = fifty, largestPageRows = largest, largestPage, pagingMs, openSessionMs = openMs },
                new JsonSerializerOptions { WriteIndented = true });
            await File.WriteAllTextAsync(Artifacts.PathFor("load-500.json"), report);
            output.WriteLine($"measurement: {Artifacts.PathFor("load-500.json")}");
        }
        finally
        {
            await traffic.CancelAsync();
            await pushing;
        }

        dashboard.AssertNoErrors();
    }

    /// <summary>Records while <see cref="RoundsToMeasure"/> counter batches arrive (bounded), then answers the probe's summary.</summary>
    private async Task<JsonElement> MeasureAsync(IPage page, string label)
    {
        await page.EvaluateAsync("() => window.__frameProbe.start()");
        await page.WaitForFunctionAsync(
            "n => window.__frameProbe.counters.length >= n",
            RoundsToMeasure,
            new PageWaitForFunctionOptions { Timeout = Timeouts.BrowserMs, PollingInterval = 250 });
        string json = await page.EvaluateAsync<string>("() => JSON.stringify(window.__frameProbe.stop())");
        var summary = JsonDocument.Parse(json).RootElement.Clone();
        output.WriteLine(
            $"{label}: {summary.GetProperty("counterMessages")} sessionCounters batches of {Stat(summary, "rowsPerBatch", "mean"):F0} sessions on average; "
            + $"update round (handler + layout + per-frame patch) p50 {Stat(summary, "roundMs", "p50"):F1} ms, p95 {Stat(summary, "roundMs", "p95"):F1} ms, max {Stat(summary, "roundMs", "max"):F1} ms; "
            + $"handler alone p95 {Stat(summary, "handlerMs", "p95"):F1} ms; all rAF work per frame p95 {Stat(summary, "rafPerFrameMs", "p95"):F1} ms, max {Stat(summary, "rafPerFrameMs", "max"):F1} ms; "
            + $"frame interval p50 {Stat(summary, "frameIntervalMs", "p50"):F1} ms, p95 {Stat(summary, "frameIntervalMs", "p95"):F1} ms, max {Stat(summary, "frameIntervalMs", "max"):F1} ms "
            + $"({summary.GetProperty("framesOver20Ms")} of {Stat(summary, "frameIntervalMs", "count"):F0} frames over 20 ms); long tasks {Stat(summary, "longTasksMs", "count"):F0} (max {Stat(summary, "longTasksMs", "max"):F0} ms)");
        output.WriteLine($"{label}, everything: {json}");
        return summary;
    }

    private static double Stat(JsonElement summary, string name, string statistic) => summary.GetProperty(name).GetProperty(statistic).GetDouble();

    /// <summary>Echoes 16 KiB through each port four times a second until cancelled, so byte counters move too (paced: the machine is shared with the browser being measured).</summary>
    private static async Task PushTrafficAsync(IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        var sockets = new List<System.Net.Sockets.Socket>();
        try
        {
            foreach (int port in ports)
            {
                sockets.Add(await Tcp.ConnectAsync(port));
            }

            var chunk = Tcp.RandomBytes(16 * 1024);
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            while (await pace.WaitForNextTickAsync(cancellationToken))
            {
                await Task.WhenAll(sockets.Select(async socket =>
                {
                    await Tcp.SendAllAsync(socket, chunk, cancellationToken);
                    await Tcp.ReceiveExactlyAsync(socket, chunk.Length, cancellationToken);
                }));
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
