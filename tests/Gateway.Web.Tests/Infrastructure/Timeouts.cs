namespace Gateway.Web.Tests.Infrastructure;

internal static class Timeouts
{
    /// <summary>Bound for one browser wait (an element, a text, a navigation): the longest any test waits for the page.</summary>
    public const float BrowserMs = 15_000;

    // Steps and transfers outside the browser are bounded by the shared kit's Bounds.Step and Bounds.Long.
}
