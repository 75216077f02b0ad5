using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>
/// A hand-driven WebSocket client over TLS for what ClientWebSocket hides: the exact upgrade
/// request (duplicate headers, cookies, oversized requests), the full HTTP error response with
/// its body, and individual frames (pings, pongs, fragments, opcodes).
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _stream;

    private RawWebSocket(TcpClient tcp, SslStream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    public int StatusCode { get; private set; }

    public Dictionary<string, List<string>> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string Body { get; private set; } = string.Empty;

    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? values[0] : null;

    /// <summary>Sends an upgrade request with exactly the given extra header lines and reads the answer.</summary>
    public static async Task<RawWebSocket> ConnectAsync(TestGateway gateway, string target, IEnumerable<(string Name, string Value)> headers)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", gateway.HttpsBase.Port, cts.Token);
        var ssl = new SslStream(tcp.GetStream(), false, gateway.ValidateCertificate);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        var socket = new RawWebSocket(tcp, ssl);
        var request = new StringBuilder();
        request.Append("GET ").Append(target).Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        request.Append("\r\n");
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cts.Token);
        await socket.ReadResponseAsync(cts.Token);
        return socket;
    }

    /// <summary>The standard upgrade headers plus the given ones.</summary>
    public static List<(string, string)> UpgradeHeaders(params (string, string)[] extra)
    {
        var headers = new List<(string, string)>
        {
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))),
            ("Sec-WebSocket-Version", "13"),
        };
        headers.AddRange(extra);
        return headers;
    }

    /// <summary>Sends one frame, masked as a client must.</summary>
    public async Task SendFrameAsync(int opcode, ReadOnlyMemory<byte> payload, bool fin = true)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.Add(0x80 | 126);
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }
        else
        {
            header.Add(0x80 | 127);
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            header.AddRange(length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        header.AddRange(mask);
        var masked = payload.ToArray();
        for (int i = 0; i < masked.Length; i++)
        {
            masked[i] ^= mask[i % 4];
        }

        await _stream.WriteAsync(header.ToArray(), cts.Token);
        await _stream.WriteAsync(masked, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>Reads the next frame from the server (unmasked), or null when the connection ended.</summary>
    public async Task<RawFrame?> ReceiveFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestGateway.Timeout);
        var head = await ReadExactAsync(2, cts.Token);
        if (head is null)
        {
            return null;
        }

        bool fin = (head[0] & 0x80) != 0;
        int opcode = head[0] & 0x0F;
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactAsync(2, cts.Token));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactAsync(8, cts.Token));
        }

        var payload = length == 0 ? [] : await ReadExactAsync((int)length, cts.Token);
        return payload is null ? null : new RawFrame(opcode, fin, payload);
    }

    private async Task ReadResponseAsync(CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("connection closed inside the HTTP response head");
            }

            buffer.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        StatusCode = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            if (!Headers.TryGetValue(name, out var values))
            {
                Headers[name] = values = [];
            }

            values.Add(line[(colon + 1)..].Trim());
        }

        if (StatusCode != 101 && Header("Content-Length") is { } contentLength)
        {
            var body = await ReadExactAsync(int.Parse(contentLength, System.Globalization.CultureInfo.InvariantCulture), cancellationToken)
                ?? throw new IOException("connection closed inside the HTTP response body");
            Body = Encoding.UTF8.GetString(body);
        }
    }

    private static bool EndsWithBlankLine(List<byte> buffer) =>
        buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n';

    private async Task<byte[]?> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(result.AsMemory(filled), cancellationToken);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            filled += read;
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>One WebSocket frame as received.</summary>
internal sealed record RawFrame(int Opcode, bool Fin, byte[] Payload)
{
    public const int Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    public int CloseCode => Opcode == Close && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 0;
}
