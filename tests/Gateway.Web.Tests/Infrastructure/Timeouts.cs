namespace Gateway.Web.Tests.Infrastructure;

internal static class Timeouts
{
    /// <summary>Bound for one browser wait (an element, a text, a navigation): the longest any test waits for the page.</summary>
    public const float BrowserMs = 15_000;

    /// <summary>Bound for one step outside the browser (a gateway start, a connection, an API call).</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    /// <summary>Bound for a transfer or starting many sessions.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);
}
