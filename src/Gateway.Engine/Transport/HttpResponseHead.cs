using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Engine.Transport;

/// <summary>A parsed HTTP/1.1 status line and headers (of the upgrade answer or a proxy's CONNECT answer).</summary>
internal sealed class HttpResponseHead
{
    private static ReadOnlySpan<byte> Terminator => "\r\n\r\n"u8;

    private HttpResponseHead(int status, string reason, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Status = status;
        Reason = reason;
        Headers = headers;
    }

    public int Status { get; }

    public string Reason { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public string? this[string name]
    {
        get
        {
            foreach (var header in Headers)
            {
                if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return header.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Length of the head including the blank line, or -1 if it is not complete yet.</summary>
    public static long FindEnd(in ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, Terminator, advancePastDelimiter: true) ? reader.Consumed : -1;
    }

    /// <summary>Parses a complete head; null with <paramref name="error"/> when it is not HTTP.</summary>
    public static HttpResponseHead? TryParse(ReadOnlySpan<byte> head, out string error)
    {
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split("\r\n");
        string statusLine = lines[0];
        string[] parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            error = $"the answer is not an HTTP response (status line \"{Truncate(statusLine)}\")";
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"malformed header line \"{Truncate(line)}\"";
                return null;
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        error = string.Empty;
        return new HttpResponseHead(status, parts.Length > 2 ? parts[2] : string.Empty, headers);
    }

    private static string Truncate(string value) => value.Length > 80 ? value[..80] + "..." : value;
}
