using Microsoft.Playwright;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>Reading the sessions table: rows by session id, cells by <c>data-field</c>, the sparkline's pixels.</summary>
internal static class Rows
{
    /// <summary>
    /// Coloured pixels in the upper half of the row's sparkline canvas: 0 while the plot is a flat line
    /// at zero (no traffic), many once a throughput peak is drawn (the y scale follows the peak).
    /// </summary>
    private const string UpperHalfPixelsScript = """
        row => {
          const canvas = row.querySelector('canvas');
          if (!canvas || canvas.width === 0 || canvas.height === 0) return -1;
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, Math.floor(canvas.height / 2)).data;
          let count = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
          return count;
        }
        """;

    public static ILocator Row(IPage page, string sessionId) => page.Locator($"tr[data-session-id=\"{sessionId}\"]");

    public static ILocator Cell(IPage page, string sessionId, string field) => Row(page, sessionId).Locator($"[data-field=\"{field}\"]");

    /// <summary>A cell's raw number (<c>data-value</c>, which the dashboard sets next to the formatted text).</summary>
    public static async Task<long> ValueAsync(IPage page, string sessionId, string field) =>
        long.Parse(await Cell(page, sessionId, field).GetAttributeAsync("data-value") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);

    public static Task<int> SparklineUpperPixelsAsync(IPage page, string sessionId) =>
        Row(page, sessionId).EvaluateAsync<int>(UpperHalfPixelsScript);

    /// <summary>The sparkline canvas as a data: URL, to compare its drawing before and after.</summary>
    public static Task<string> SparklineImageAsync(IPage page, string sessionId) =>
        Row(page, sessionId).EvaluateAsync<string>("row => row.querySelector('canvas')?.toDataURL() ?? ''");

    /// <summary>Waits (bounded) until the row's sparkline draws a peak.</summary>
    public static Task WaitForSparklinePeakAsync(IPage page, string sessionId) =>
        page.WaitForFunctionAsync(
            $$"""
            id => {
              const row = document.querySelector(`tr[data-session-id="${id}"]`);
              return row && ({{UpperHalfPixelsScript}})(row) > 0;
            }
            """,
            sessionId,
            new PageWaitForFunctionOptions { Timeout = Timeouts.BrowserMs, PollingInterval = 100 });
}
