using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// One test's browser tab: a fresh context (own cookies) on the gateway's HTTPS address, whose
/// self-signed certificate it accepts. Keeps the page's console and uncaught errors and writes them
/// to the test output when disposed.
/// </summary>
internal sealed partial class DashboardPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly TestGateway _gateway;
    private readonly int _logMark;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _console = new();
    private readonly ConcurrentQueue<string> _pageErrors = new();

    private DashboardPage(IBrowserContext context, IPage page, TestGateway gateway, ITestOutputHelper output)
    {
        _context = context;
        _gateway = gateway;
        _logMark = gateway.Logs.Count;
        Page = page;
        _output = output;
        page.Console += (_, message) => _console.Enqueue($"[{message.Type}] {message.Text}");
        page.PageError += (_, error) => _pageErrors.Enqueue(error);
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
    }

    public IPage Page { get; }

    /// <summary>Uncaught exceptions of the page's scripts so far.</summary>
    public IReadOnlyList<string> PageErrors => [.. _pageErrors];

    public static async Task<DashboardPage> OpenAsync(BrowserFixture browser, TestGateway gateway, ITestOutputHelper output, int width = 1280, int height = 800)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            BaseURL = gateway.HttpsBase.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(Timeouts.BrowserMs);
        context.SetDefaultNavigationTimeout(Timeouts.BrowserMs);
        var page = await context.NewPageAsync();
        return new DashboardPage(context, page, gateway, output);
    }

    /// <summary>Opens the dashboard (<c>/</c>) and waits for its login form.</summary>
    public async Task OpenLoginAsync()
    {
        await Page.GotoAsync("/");
        await Expect(Page.Locator("#login-user")).ToBeVisibleAsync();
    }

    /// <summary>Logs in through the form, without waiting for the outcome.</summary>
    public async Task SubmitLoginAsync(string userName, string password)
    {
        await OpenLoginAsync();
        await Page.Locator("#login-user").FillAsync(userName);
        await Page.Locator("#login-password").FillAsync(password);
        await Page.Locator("#login-submit").ClickAsync();
    }

    /// <summary>Logs in through the form and waits for the sessions page.</summary>
    public async Task LoginAsync(string userName = TestGateway.AdminUser, string password = TestGateway.AdminPassword)
    {
        await SubmitLoginAsync(userName, password);
        await Expect(Page).ToHaveURLAsync(SessionsRoute());
    }

    /// <summary>Goes to a hash route (<c>#/relay</c>) the way a link does: no reload.</summary>
    public async Task GoToAsync(string route)
    {
        await Page.EvaluateAsync("route => { location.hash = route; }", route);
        await Expect(Page).ToHaveURLAsync(new Regex(Regex.Escape(route) + "$"));
    }

    /// <summary>A marker on <c>window</c> that a reload would lose: set it, act, then check it with <see cref="AssertNotReloadedAsync"/>.</summary>
    public Task MarkDocumentAsync() => Page.EvaluateAsync("() => { window.__testMarker = 'not reloaded'; }");

    public async Task AssertNotReloadedAsync() =>
        Assert.Equal("not reloaded", await Page.EvaluateAsync<string?>("() => window.__testMarker ?? null"));

    /// <summary>Saves the viewport (or the whole page) as <c>artifacts/<paramref name="name"/>.png</c> and prints where.</summary>
    public async Task<string> ScreenshotAsync(string name, bool fullPage = false)
    {
        string path = Artifacts.PathFor(name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>No uncaught error in the page, nothing blocked by the CSP, and no error logged by the gateway since this page was opened.</summary>
    public void AssertNoErrors()
    {
        Assert.True(_pageErrors.IsEmpty, "uncaught errors in the page:\n" + string.Join("\n", _pageErrors));
        var blocked = _console.Where(line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(blocked.Count == 0, "the Content-Security-Policy blocked something:\n" + string.Join("\n", blocked));
        var errors = _gateway.Logs.Since(_logMark).Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Select(l => l.Text).ToList();
        Assert.True(errors.Count == 0, "the gateway logged errors:\n" + string.Join("\n", errors));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string line in _console)
        {
            _output.WriteLine("browser console " + line);
        }

        foreach (string error in _pageErrors)
        {
            _output.WriteLine("browser page error " + error);
        }

        foreach (var line in _gateway.Logs.Since(_logMark))
        {
            _output.WriteLine("gateway " + line.Text);
        }

        await _context.CloseAsync();
    }

    [GeneratedRegex("#/sessions$")]
    private static partial Regex SessionsRoute();
}
