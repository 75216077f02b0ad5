using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Engine.Tests.Infrastructure;

/// <summary>
/// A hand-driven fake of the Secure Tunneling service endpoint for engine tests: plain TCP (or TLS) on 127.0.0.1,
/// HTTP upgrade and RFC 6455 server framing written by hand so that every client frame, pings and pongs included,
/// is observable.
/// <para>
/// Nothing happens on its own: a test calls <see cref="AcceptAsync"/> for each connection it expects. The kernel
/// queues connection attempts until then; an accept that timed out stays pending and is used by the next call.
/// </para>
/// <para>
/// Upgrade answers: one-shot replies queued with <see cref="EnqueueReply"/>, <see cref="RejectNext"/> or
/// <see cref="AnswerSubprotocol"/> are used first, in order, one per upgrade request; when the queue is empty every
/// upgrade gets <see cref="HandshakeReply"/> (default <see cref="Infrastructure.HandshakeReply.Accept"/>:
/// 101 echoing the offered subprotocol, with a fresh <c>channel-id</c>). The queued reply is taken when the request
/// is read inside <see cref="AcceptAsync"/>, so configure it before that call.
/// </para>
/// </summary>
public sealed class FakeTunnelService : IAsyncDisposable
{
    /// <summary>Largest upgrade request head the fake reads.</summary>
    public const int MaxRequestHeadBytes = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly ConcurrentQueue<HandshakeReply> _replies = new();
    private readonly ConcurrentQueue<FakeConnection> _connections = new();
    private readonly SemaphoreSlim _acceptLock = new(1, 1);
    private readonly CancellationTokenSource _disposeCts = new();
    private Task<Socket>? _pendingAccept;
    private int _acceptedCount;
    private int _disposed;

    private FakeTunnelService(TcpListener listener, X509Certificate2? certificate)
    {
        _listener = listener;
        _certificate = certificate;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Url = new Uri($"{(certificate is null ? "ws" : "wss")}://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The listening port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>ws://127.0.0.1:port</c> or <c>wss://127.0.0.1:port</c>, no path.</summary>
    public Uri Url { get; }

    /// <summary>True if the fake serves TLS.</summary>
    public bool UseTls => _certificate is not null;

    /// <summary>The self-signed server certificate (CN=localhost, SAN DNS localhost and IP 127.0.0.1). Only with TLS.</summary>
    public X509Certificate2 Certificate =>
        _certificate ?? throw new InvalidOperationException("The fake tunnel service was started without TLS; there is no certificate.");

    /// <summary>The reply used for every upgrade when no one-shot reply is queued. Default: <see cref="Infrastructure.HandshakeReply.Accept"/>.</summary>
    public HandshakeReply HandshakeReply { get; set; } = HandshakeReply.Accept();

    /// <summary>Initial <see cref="FakeConnection.AutoPong"/> of new connections (default true). Set before the client connects to catch its first ping unanswered.</summary>
    public bool AutoPong { get; set; } = true;

    /// <summary>Initial <see cref="FakeConnection.AutoCloseReply"/> of new connections (default true).</summary>
    public bool AutoCloseReply { get; set; } = true;

    /// <summary>How many TCP connections <see cref="AcceptAsync"/> has taken so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    /// <summary>Every connection returned by <see cref="AcceptAsync"/>, in order.</summary>
    public IReadOnlyList<FakeConnection> Connections => _connections.ToArray();

    /// <summary>Starts listening on 127.0.0.1 with an ephemeral port.</summary>
    public static Task<FakeTunnelService> StartAsync(bool useTls = false)
    {
        var certificate = useTls ? CreateCertificate() : null;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return Task.FromResult(new FakeTunnelService(listener, certificate));
    }

    /// <summary>Queues a one-shot reply for the next upgrade request.</summary>
    public void EnqueueReply(HandshakeReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        _replies.Enqueue(reply);
    }

    /// <summary>Queues a one-shot rejection: complete response with Content-Length and body, then the connection is closed.</summary>
    public void RejectNext(int status, string body, string? channelId = HandshakeReply.DefaultRejectChannelId) =>
        EnqueueReply(HandshakeReply.Reject(status, body, channelId));

    /// <summary>Queues a one-shot 101 answer carrying <c>Sec-WebSocket-Protocol: <paramref name="value"/></c> (null omits the header).</summary>
    public void AnswerSubprotocol(string? value) => EnqueueReply(HandshakeReply.AcceptWithSubprotocol(value));

    /// <summary>
    /// Takes the next TCP connection, does TLS if enabled, reads the upgrade request (up to 16 KB) and answers it.
    /// A rejected upgrade still returns a connection (<see cref="FakeConnection.Rejected"/> is true). An upgrade
    /// request that is not a valid WebSocket upgrade (method, Upgrade/Connection, version 13, Sec-WebSocket-Key)
    /// is answered <c>400</c> unless a rejection was configured anyway.
    /// </summary>
    public async Task<FakeConnection> AcceptAsync(TimeSpan? timeout = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var limit = timeout ?? TestTimeouts.Default;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_disposeCts.Token);
        cts.CancelAfter(limit);
        try
        {
            await _acceptLock.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Another AcceptAsync did not finish within {limit}.");
        }

        try
        {
            var socket = await NextSocketAsync(limit, cts.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _acceptedCount);
            var stage = "the TLS handshake";
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            try
            {
                if (_certificate is not null)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = ssl;
                    await ssl.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions { ServerCertificate = _certificate, ClientCertificateRequired = false },
                        cts.Token).ConfigureAwait(false);
                }

                stage = "the HTTP upgrade request";
                var reader = new StreamBuffer(stream);
                var head = await reader.ReadHeadAsync(MaxRequestHeadBytes, cts.Token).ConfigureAwait(false)
                    ?? throw new IOException($"The client closed the connection before completing the upgrade request ({reader.Count} bytes received: {Hex.Preview(reader.Data)}).");
                var request = HttpHead.Parse(head);

                stage = "sending the upgrade response";
                var reply = _replies.TryDequeue(out var queued) ? queued : HandshakeReply;
                var (status, channelId, response) = BuildResponse(request, reply);
                await stream.WriteAsync(Encoding.Latin1.GetBytes(response), cts.Token).ConfigureAwait(false);
                await stream.FlushAsync(cts.Token).ConfigureAwait(false);

                var connection = new FakeConnection(socket, stream, reader, request, response, status, channelId, AutoPong, AutoCloseReply);
                _connections.Enqueue(connection);
                if (status == 101)
                {
                    connection.StartReading();
                }
                else
                {
                    connection.StartDraining();
                }

                return connection;
            }
            catch (Exception e)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                socket.Dispose();
                if (e is OperationCanceledException && cts.IsCancellationRequested)
                {
                    throw new TimeoutException($"A client connected but {stage} did not complete within {limit}.");
                }

                throw;
            }
        }
        finally
        {
            _acceptLock.Release();
        }
    }

    /// <summary>
    /// Succeeds if no TCP connection arrives within <paramref name="window"/>; fails otherwise. A connection that does
    /// arrive is kept for the next <see cref="AcceptAsync"/>.
    /// </summary>
    public async Task AssertNoConnectionAsync(TimeSpan window)
    {
        await _acceptLock.WaitAsync(_disposeCts.Token).ConfigureAwait(false);
        try
        {
            var pending = _pendingAccept ??= _listener.AcceptSocketAsync(_disposeCts.Token).AsTask();
            var winner = await Task.WhenAny(pending, Task.Delay(window)).ConfigureAwait(false);
            if (winner == pending && pending.IsCompletedSuccessfully)
            {
                var socket = await pending.ConfigureAwait(false);
                Assert.Fail($"Expected no connection within {window}, but a client connected from {socket.RemoteEndPoint}.");
            }
        }
        finally
        {
            _acceptLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposeCts.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_pendingAccept is { } pending)
        {
            try
            {
                var socket = await pending.WaitAsync(TestTimeouts.Short).ConfigureAwait(false);
                socket.Dispose();
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
            {
                // Listener stopped.
            }
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _listener.Dispose();
        _certificate?.Dispose();
    }

    private static (int Status, string? ChannelId, string Response) BuildResponse(HttpHead request, HandshakeReply reply)
    {
        if (!reply.IsRejection)
        {
            var problem = UpgradeProblem(request);
            if (problem is not null)
            {
                reply = HandshakeReply.Reject(400, problem);
            }
        }

        var response = new StringBuilder();
        if (reply.IsRejection)
        {
            var body = Encoding.UTF8.GetBytes(reply.Body);
            response.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {reply.StatusCode} {ReasonPhrase(reply.StatusCode)}\r\n");
            response.Append("Content-Type: text/plain; charset=utf-8\r\n");
            response.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
            if (reply.ChannelId is not null)
            {
                response.Append(CultureInfo.InvariantCulture, $"channel-id: {reply.ChannelId}\r\n");
            }

            response.Append("Connection: close\r\n\r\n");
            response.Append(Encoding.Latin1.GetString(body));
            return (reply.StatusCode, reply.ChannelId, response.ToString());
        }

        var key = request.Header("Sec-WebSocket-Key")!;
        var channelId = Guid.NewGuid().ToString();
        var subprotocol = reply.EchoOfferedSubprotocol
            ? request.Header("Sec-WebSocket-Protocol")?.Split(',')[0].Trim()
            : reply.Subprotocol;
        response.Append("HTTP/1.1 101 Switching Protocols\r\n");
        response.Append("Upgrade: websocket\r\n");
        response.Append("Connection: Upgrade\r\n");
        response.Append(CultureInfo.InvariantCulture, $"Sec-WebSocket-Accept: {WsFraming.ComputeAccept(key)}\r\n");
        if (!string.IsNullOrEmpty(subprotocol))
        {
            response.Append(CultureInfo.InvariantCulture, $"Sec-WebSocket-Protocol: {subprotocol}\r\n");
        }

        response.Append(CultureInfo.InvariantCulture, $"channel-id: {channelId}\r\n\r\n");
        return (101, channelId, response.ToString());
    }

    private static string? UpgradeProblem(HttpHead request)
    {
        var parts = request.StartLine.Split(' ');
        if (parts.Length != 3 || parts[0] != "GET" || parts[2] != "HTTP/1.1")
        {
            return $"Not a GET HTTP/1.1 request line: {request.StartLine}";
        }

        if (!HasToken(request.Header("Upgrade"), "websocket"))
        {
            return "Missing Upgrade: websocket";
        }

        if (!HasToken(request.Header("Connection"), "upgrade"))
        {
            return "Missing Connection: upgrade";
        }

        if (request.Header("Sec-WebSocket-Version") != "13")
        {
            return "Sec-WebSocket-Version must be 13";
        }

        if (request.HeaderCount("Sec-WebSocket-Key") != 1 || !WsFraming.IsValidKey(request.Header("Sec-WebSocket-Key")))
        {
            return "Sec-WebSocket-Key must be one base64 value of 16 bytes";
        }

        return null;
    }

    private static bool HasToken(string? value, string token) =>
        value is not null && value.Split(',').Any(part => string.Equals(part.Trim(), token, StringComparison.OrdinalIgnoreCase));

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    };

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        const string Password = "fake-tunnel-service";
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12, Password), Password);
    }

    private async Task<Socket> NextSocketAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var pending = _pendingAccept ??= _listener.AcceptSocketAsync(_disposeCts.Token).AsTask();
        try
        {
            var socket = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pendingAccept = null;
            socket.NoDelay = true;
            return socket;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !pending.IsCompleted)
        {
            throw new TimeoutException($"No client connected to the fake tunnel service on port {Port} within {limit}.");
        }
        catch (Exception) when (pending.IsCompleted)
        {
            _pendingAccept = null;
            throw;
        }
    }
}
