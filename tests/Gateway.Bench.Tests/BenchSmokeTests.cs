using System.Text.Json;

namespace Gateway.Bench.Tests;

/// <summary>
/// Runs the load driver as CI runs it: <c>--smoke</c> (every figure, small sizes, a few seconds
/// each). Speed is never asserted; the driver itself fails (exit 1) when a byte is lost or
/// corrupted, a connection fails, or a process crashes.
/// </summary>
public sealed class BenchSmokeTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("bench-smoke-").FullName;

    [Fact]
    public async Task SmokeRunMeasuresEveryFigureAndDeliversEveryByte()
    {
        var options = BenchOptions.Parse(["--smoke", "--out", _output]);

        int exit = await BenchRun.RunAsync(options, "test: Gateway.Bench --smoke").WaitAsync(TimeSpan.FromMinutes(6));

        Assert.Equal(0, exit);
        var json = Assert.Single(Directory.GetFiles(_output, "smoke-*.json"));
        Assert.Single(Directory.GetFiles(_output, "smoke-*.md"));
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.True(document.RootElement.GetProperty("run").GetProperty("completed").GetBoolean());
        var rows = document.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var figures = rows.Select(r => r.GetProperty("figure").GetInt32()).ToHashSet();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], figures.Order());
        Assert.Contains(rows, r => r.GetProperty("configuration").GetString() == "processes");
        Assert.All(rows, r => Assert.False(double.IsNaN(r.GetProperty("value").GetDouble())));
    }

    [Theory]
    [InlineData("--only", "13")]
    [InlineData("--mib", "x")]
    [InlineData("--bogus")]
    public void BadOptionsAreRefusedNamingTheOption(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(args));
        Assert.StartsWith(args[0], error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_output, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
