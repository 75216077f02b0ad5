using Microsoft.Playwright;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// One headless Chromium per test class: Debian's <c>chromium</c> package at <see cref="ExecutablePath"/>,
/// driven by Playwright for .NET. Playwright's own browser download is never used (nothing may be
/// downloaded here), so a missing browser fails every test of the class with how to install it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The flags: no sandbox (root in a container), no GPU, and no traffic of Chromium's own.</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    internal IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium not found at {ExecutablePath}: install it with `apt-get install chromium`");
        }

        Assertions.SetDefaultExpectTimeout(Timeouts.BrowserMs);
        _playwright = await Playwright.CreateAsync().WaitAsync(Bounds.Step);
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = (float)Bounds.Step.TotalMilliseconds,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
