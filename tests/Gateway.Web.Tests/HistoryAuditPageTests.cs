using System.Net.Http.Json;
using Gateway.Api.Data;
using Gateway.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests;

/// <summary>The history and audit pages search and filter through the server, and the audit says what each call did.</summary>
[Collection(DashboardCollection.Name)]
public sealed class HistoryAuditPageTests(GatewayFixture gatewayFixture, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => gatewayFixture.Gateway;

    [Fact]
    public async Task TheHistoryIsSearchedAndFiltered()
    {
        var started = DateTimeOffset.UtcNow.AddHours(-3);
        var contexts = Gateway.Services.GetRequiredService<IDbContextFactory<GatewayDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.SessionHistory.AddRange(
                new SessionHistoryEntity { Id = "hist-lab-ssh", Name = "lab ssh", Mode = "Source", Endpoint = "wss://relay.example/tunnel", StartedBy = "alice", StartedAt = started, EndedAt = started.AddMinutes(5), EndState = "Stopped", EndReason = "stopped by the user" },
                new SessionHistoryEntity { Id = "hist-lab-rdp", Name = "lab rdp", Mode = "Destination", Endpoint = "wss://relay.example/tunnel", StartedBy = "bob", StartedAt = started.AddMinutes(1), EndedAt = started.AddMinutes(6), EndState = "Failed", EndReason = "could not connect" },
                new SessionHistoryEntity { Id = "hist-pump", Name = "pump 17", Mode = "Source", Endpoint = "wss://other.example/tunnel", StartedBy = "alice", StartedAt = started.AddMinutes(2), EndedAt = started.AddMinutes(7), EndState = "Closed", EndReason = "closed by the service" });
            await db.SaveChangesAsync();
        }

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/history");
        var page = dashboard.Page;
        var rows = page.Locator("#history-body tr");
        await Expect(page.Locator("tr[data-history-id=\"hist-pump\"]")).ToBeVisibleAsync();

        await page.Locator("#history-q").FillAsync("LAB");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator("tr[data-history-id=\"hist-pump\"]")).ToHaveCountAsync(0);
        await page.Locator("#history-mode").SelectOptionAsync("destination");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator("tr[data-history-id=\"hist-lab-rdp\"] [data-field=\"endReason\"]")).ToHaveTextAsync("could not connect");

        await page.Locator("#history-q").FillAsync(string.Empty);
        await page.Locator("#history-mode").SelectOptionAsync(string.Empty);
        await page.Locator("#history-startedBy").FillAsync("alice");
        await page.Locator("#history-state").SelectOptionAsync("Closed");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator("tr[data-history-id=\"hist-pump\"]")).ToBeVisibleAsync();
        await Expect(page.Locator("#history-status")).ToContainTextAsync("1 session match");
        await dashboard.ScreenshotAsync("history-filtered-1280");
        dashboard.AssertNoErrors();
    }

    [Fact]
    public async Task TheAuditShowsReadableActionsAndIsFiltered()
    {
        using (var client = Gateway.CreateClient())
        {
            Assert.True((await client.PostAsJsonAsync("/api/users", new { userName = "auditee", password = "auditee-password-1", role = "viewer" })).IsSuccessStatusCode);
            Assert.False((await client.PostAsJsonAsync("/api/users", new { userName = "auditee", password = "auditee-password-1", role = "viewer" })).IsSuccessStatusCode);
            Assert.True((await client.DeleteAsync("/api/users/auditee")).IsSuccessStatusCode);
        }

        await using var dashboard = await DashboardPage.OpenAsync(browser, Gateway, output);
        await dashboard.LoginAsync();
        await dashboard.GoToAsync("#/audit");
        var page = dashboard.Page;
        var rows = page.Locator("#audit-body tr");
        await Expect(rows.First).ToBeVisibleAsync();

        await page.Locator("#audit-area").SelectOptionAsync("users");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Locator("[data-field=\"action\"] > span")).ToHaveTextAsync(["Delete user", "Create user", "Create user"]);

        await page.Locator("#audit-outcome").SelectOptionAsync("refused");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("[data-field=\"outcome\"]")).ToContainTextAsync("refused 400");

        // The login this page made: found by searching, named in words.
        await page.Locator("#audit-area").SelectOptionAsync("auth");
        await page.Locator("#audit-outcome").SelectOptionAsync("allowed");
        await page.Locator("#audit-q").FillAsync("login");
        await Expect(rows.First.Locator("[data-field=\"action\"] > span")).ToHaveTextAsync("Log in");
        await dashboard.ScreenshotAsync("audit-filtered-1280");
        dashboard.AssertNoErrors();
    }
}
