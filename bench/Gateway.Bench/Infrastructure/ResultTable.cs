using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Bench.Infrastructure;

/// <summary>Collects rows, prints them as they come and at the end, and writes JSON and Markdown.</summary>
internal sealed class ResultTable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly List<ResultRow> _rows = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<ResultRow> Rows
    {
        get
        {
            lock (_gate)
            {
                return [.. _rows];
            }
        }
    }

    public void Add(ResultRow row)
    {
        lock (_gate)
        {
            _rows.Add(row);
        }

        Console.WriteLine($"  [{row.Figure}] {row.Configuration,-10} {row.Metric,-44} {Format(row.Value),12} {row.Unit,-6} {row.Note}");
    }

    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"#",-2} {"config",-10} {"metric",-44} {"value",12} {"unit",-6} note");
        foreach (var row in Rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{row.Figure,-2} {row.Configuration,-10} {row.Metric,-44} {Format(row.Value),12} {row.Unit,-6} {row.Note}");
        }

        return text.ToString();
    }

    public string ToMarkdown(RunInfo info)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark run {info.StartedAt:yyyy-MM-dd HH:mm:ss}Z");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- command: `{info.Command}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- machine: {info.Machine}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- runtime: {info.Runtime}; duration {info.DurationSeconds:0} s");
        md.AppendLine();
        md.AppendLine("| # | config | metric | value | unit | note |");
        md.AppendLine("|---|---|---|---:|---|---|");
        foreach (var row in Rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Figure} | {row.Configuration} | {row.Metric} | {Format(row.Value)} | {row.Unit} | {row.Note.Replace("|", "/", StringComparison.Ordinal)} |");
        }

        return md.ToString();
    }

    public string ToJson(RunInfo info) => JsonSerializer.Serialize(new { run = info, rows = Rows }, Json);

    public static string Format(double value) => Math.Abs(value) >= 100 || value == Math.Floor(value)
        ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("0.0##", CultureInfo.InvariantCulture);
}
