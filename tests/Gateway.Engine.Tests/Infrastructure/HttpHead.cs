using System.Text;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>A parsed HTTP/1.1 message head (request or response): start line and headers in wire order, case preserved.</summary>
public sealed class HttpHead
{
    private HttpHead(string text, string startLine, IReadOnlyList<(string Name, string Value)> headers)
    {
        Text = text;
        StartLine = startLine;
        Headers = headers;
    }

    /// <summary>The raw head exactly as received, including the final empty line.</summary>
    public string Text { get; }

    /// <summary>The request line or status line.</summary>
    public string StartLine { get; }

    /// <summary>Headers in the order received, names and values as sent (values trimmed of surrounding white space).</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; }

    /// <summary>Parses a head; <paramref name="raw"/> is decoded as Latin-1 so every byte survives.</summary>
    public static HttpHead Parse(ReadOnlySpan<byte> raw) => Parse(Encoding.Latin1.GetString(raw));

    /// <summary>Parses a head given as text.</summary>
    public static HttpHead Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split("\r\n");
        var headers = new List<(string Name, string Value)>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(colon < 0 ? (line, string.Empty) : (line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        return new HttpHead(text, lines[0], headers);
    }

    /// <summary>The first header with this name (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (headerName, value) in Headers)
        {
            if (string.Equals(headerName, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>How many headers carry this name (case-insensitive).</summary>
    public int HeaderCount(string name) => Headers.Count(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
}
