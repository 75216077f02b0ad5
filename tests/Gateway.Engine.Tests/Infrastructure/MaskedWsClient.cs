using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>
/// A minimal hand-written WebSocket client for testing the fake service itself: sends the upgrade request the
/// reference proxy sends, then raw (masked, or deliberately unmasked) frames, and reads frames one at a time.
/// </summary>
public sealed class MaskedWsClient : IAsyncDisposable
{
    /// <summary>The subprotocol the reference proxy offers by default.</summary>
    public const string DefaultSubprotocol = "aws.iot.securetunneling-3.0";

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly StreamBuffer _reader;

    private MaskedWsClient(Socket socket, Stream stream, StreamBuffer reader, string key, string requestText, HttpHead response)
    {
        _socket = socket;
        _stream = stream;
        _reader = reader;
        Key = key;
        RequestText = requestText;
        Response = response;
    }

    /// <summary>The Sec-WebSocket-Key sent.</summary>
    public string Key { get; }

    /// <summary>The request head sent.</summary>
    public string RequestText { get; }

    /// <summary>The response head received.</summary>
    public HttpHead Response { get; }

    /// <summary>The response status code.</summary>
    public int StatusCode => int.Parse(Response.StartLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Connects to <paramref name="url"/> (ws or wss), sends an upgrade request for <paramref name="target"/>
    /// (headers in the reference proxy's order, then <paramref name="extraHeaders"/>) and reads the response head.
    /// With wss the server certificate must chain to <paramref name="trustedCertificate"/> and match <paramref name="tlsHost"/>
    /// (default: the URL host).
    /// </summary>
    public static async Task<MaskedWsClient> ConnectAsync(
        Uri url,
        string target = "/tunnel?local-proxy-mode=source",
        IEnumerable<(string Name, string Value)>? extraHeaders = null,
        string? subprotocol = DefaultSubprotocol,
        string? key = null,
        X509Certificate2? trustedCertificate = null,
        string? tlsHost = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        key ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(url.Host), url.Port), cts.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (url.Scheme == "wss")
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var options = new SslClientAuthenticationOptions { TargetHost = tlsHost ?? url.Host };
                if (trustedCertificate is not null)
                {
                    options.CertificateChainPolicy = new X509ChainPolicy
                    {
                        TrustMode = X509ChainTrustMode.CustomRootTrust,
                        RevocationMode = X509RevocationMode.NoCheck,
                    };
                    options.CertificateChainPolicy.CustomTrustStore.Add(trustedCertificate);
                }

                await ssl.AuthenticateAsClientAsync(options, cts.Token).ConfigureAwait(false);
            }

            var request = new StringBuilder();
            request.Append("GET ").Append(target).Append(" HTTP/1.1\r\n");
            request.Append("Host: ").Append(url.Host).Append("\r\n");
            request.Append("Upgrade: websocket\r\n");
            request.Append("Connection: upgrade\r\n");
            request.Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n");
            request.Append("Sec-WebSocket-Version: 13\r\n");
            if (subprotocol is not null)
            {
                request.Append("Sec-WebSocket-Protocol: ").Append(subprotocol).Append("\r\n");
            }

            foreach (var (name, value) in extraHeaders ?? [])
            {
                request.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            request.Append("\r\n");
            var requestText = request.ToString();
            await stream.WriteAsync(Encoding.Latin1.GetBytes(requestText), cts.Token).ConfigureAwait(false);

            var reader = new StreamBuffer(stream);
            var head = await reader.ReadHeadAsync(16 * 1024, cts.Token).ConfigureAwait(false)
                ?? throw new EndOfStreamException($"The server closed the connection before a complete response head ({reader.Count} bytes).");
            return new MaskedWsClient(socket, stream, reader, key, requestText, HttpHead.Parse(head));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            await DisposeAsync(stream, socket).ConfigureAwait(false);
            throw new TimeoutException($"Connecting and upgrading to {url} did not complete within {limit}.");
        }
        catch
        {
            await DisposeAsync(stream, socket).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one frame; masked with a random key unless <paramref name="mask"/> is false.</summary>
    public Task SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, bool fin = true, bool mask = true, int rsv = 0)
    {
        var key = mask ? RandomNumberGenerator.GetBytes(4) : [];
        return SendRawAsync(WsFraming.Frame(opcode, payload.Span, fin, key, rsv));
    }

    /// <summary>Writes raw bytes.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        try
        {
            await _stream.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
            await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending {bytes.Length} bytes did not complete within {TestTimeouts.Default}.");
        }
    }

    /// <summary>Reads the next frame; throws <see cref="EndOfStreamException"/> if the server closes first.</summary>
    public async Task<WsFrame> ReadFrameAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                var required = WsFrame.RequiredLength(_reader.Data);
                if (_reader.Count >= required)
                {
                    var frame = WsFrame.Parse(_reader.Data, out var consumed);
                    _reader.Consume(consumed);
                    return frame;
                }

                if (!await _reader.FillAsync((int)required, cts.Token).ConfigureAwait(false))
                {
                    throw new EndOfStreamException($"The server closed the connection ({_reader.Count} bytes of an incomplete frame buffered).");
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete frame within {limit} ({_reader.Count} bytes buffered: {Hex.Preview(_reader.Data)}).");
        }
    }

    /// <summary>Reads everything until the server closes (EOF or reset); includes bytes already buffered after the head.</summary>
    public async Task<TcpReadResult> ReadToEndAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = new CancellationTokenSource(limit);
        var closedBy = TcpCloseKind.Eof;
        try
        {
            while (await _reader.ReadMoreAsync(4096, cts.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"The server did not close within {limit} ({_reader.Count} bytes read).");
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            closedBy = TcpCloseKind.Reset;
        }

        return new TcpReadResult(_reader.Take(_reader.Count), closedBy);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private static async Task DisposeAsync(Stream? stream, Socket socket)
    {
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        socket.Dispose();
    }
}
