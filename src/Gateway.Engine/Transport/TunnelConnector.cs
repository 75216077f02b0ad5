using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Engine.Settings;

namespace Gateway.Engine.Transport;

/// <summary>
/// Opens the WebSocket to the tunnel service: TCP (optionally through an HTTP(S) proxy's CONNECT),
/// TLS 1.2+ with SNI and host verification, then the reference's upgrade request. Never throws for
/// network or protocol problems; the outcome says what went wrong and whether to retry.
/// </summary>
internal static class TunnelConnector
{
    private const int MaxResponseHead = 16 * 1024;
    private const int MaxRejectionBody = 4 * 1024;
    private const int MaxProxyReply = 10 * 1024;

    /// <summary>One connect attempt to the spec's endpoint, within <paramref name="timeout"/>.</summary>
    /// <param name="request">The endpoint, web proxy, tokens, TLS options and settings.</param>
    /// <param name="timeout">The limit of the whole attempt: TCP, proxy CONNECT, TLS and upgrade.</param>
    /// <param name="cancellationToken">Stops the attempt; then <see cref="OperationCanceledException"/> is thrown instead of a failure being answered.</param>
    /// <param name="trust">The anchors of the spec's CA directory, read beforehand (never inside the TLS callback).</param>
    public static async Task<ConnectOutcome> ConnectAsync(ConnectRequest request, TimeSpan timeout, CancellationToken cancellationToken, CaTrust? trust = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        var endpoint = request.Endpoint;
        var proxy = request.WebProxy;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            // The reference pins SO_RCVBUF/SO_SNDBUF to websocket.max_frame_size (128 KiB). The
            // receive buffer we pin too, before connecting so the window is offered from the start:
            // every byte waiting in it is in front of an interactive frame of another connection
            // (no flow control per connection; docs/performance.md, figure 9), and 128 KiB carries
            // AWS's per-tunnel cap up to 160 ms of round trip. The send buffer keeps autotuning for
            // bytes in flight, with at most 128 KiB unsent (TCP_NOTSENT_LOWAT), unless the user set
            // max_frame_size to something other than its default.
            SocketTuning.LimitUnsentBytes(socket);
            int frameSize = request.Settings.MaxFrameSize;
            SocketTuning.PinReceiveBuffer(socket, frameSize);
            if (frameSize != ProxySettings.Default.MaxFrameSize)
            {
                socket.SendBufferSize = frameSize;
            }

            string stage = proxy is null ? $"connect to {endpoint.Host}:{endpoint.Port}" : $"connect to the web proxy {proxy}";
            try
            {
                await socket.ConnectAsync(proxy?.Host ?? endpoint.Host, proxy?.Port ?? endpoint.Port, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is SocketException or OperationCanceledException)
            {
                return ConnectOutcome.Fail(ConnectFailureKind.Network, $"cannot {stage}: {Describe(ex, timeout)}");
            }

            var transport = new CoalescingStream(new NetworkStream(socket, ownsSocket: true));
            stream = transport;
            if (proxy is not null)
            {
                if (proxy.UseTls)
                {
                    var proxyTls = await AuthenticateAsync(stream, proxy.Host, request, trust, token).ConfigureAwait(false);
                    if (proxyTls.Failure is not null)
                    {
                        return new ConnectOutcome(null, proxyTls.Failure with { Message = "web proxy " + proxyTls.Failure.Message });
                    }

                    stream = proxyTls.Stream!;
                }

                var tunnel = await ConnectThroughProxyAsync(stream, proxy, endpoint, token).ConfigureAwait(false);
                if (tunnel is not null)
                {
                    return new ConnectOutcome(null, tunnel);
                }
            }

            if (endpoint.UseTls)
            {
                var tls = await AuthenticateAsync(stream, endpoint.Host, request, trust, token).ConfigureAwait(false);
                if (tls.Failure is not null)
                {
                    return new ConnectOutcome(null, tls.Failure);
                }

                stream = tls.Stream!;
            }

            string key = HandshakeRequest.NewKey();
            string subprotocol = request.Settings.Subprotocol;
            var upgrade = HandshakeRequest.Build(endpoint, request.Mode, subprotocol, request.AccessToken, request.ClientToken, key);
            await stream.WriteAsync(upgrade, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);

            var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true));
            var outcome = await ReadUpgradeAnswerAsync(input, key, subprotocol, token).ConfigureAwait(false);
            if (outcome.Failure is not null)
            {
                await input.CompleteAsync().ConfigureAwait(false);
                return new ConnectOutcome(null, outcome.Failure);
            }

            transport.CoalesceWrites = true;
            var webSocket = new TunnelWebSocket(socket, stream, input, subprotocol, outcome.ChannelId);
            stream = null;
            return new ConnectOutcome(webSocket, null);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ConnectOutcome.Fail(ConnectFailureKind.Network, $"connection to {endpoint.Host}:{endpoint.Port} failed during the handshake: {Describe(ex, timeout)}");
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else if (!socket.Connected)
            {
                socket.Dispose();
            }
        }
    }

    private static string Describe(Exception ex, TimeSpan timeout) =>
        ex is OperationCanceledException ? $"timed out after {timeout.TotalSeconds:0.#} s" : ex.Message;

    private static async Task<(Stream? Stream, ConnectFailure? Failure)> AuthenticateAsync(Stream inner, string host, ConnectRequest request, CaTrust? trust, CancellationToken token)
    {
        // The CA anchors are used only when the system store did not already trust the server.
        string? verifyError = null;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (request.SkipTlsVerify || errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (errors == SslPolicyErrors.RemoteCertificateChainErrors && trust is { Anchors.Count: > 0 } && certificate is X509Certificate2 leaf
                    && CaDirectory.Validates(leaf, chain, trust.Anchors))
                {
                    return true;
                }

                verifyError = errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
                    ? $"the certificate of {host} does not name that host"
                    : errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)
                        ? $"{host} presented no certificate"
                        : trust is { Problems.Count: > 0 }
                            ? $"the certificate of {host} is not trusted by the system or the CA directory (-c/--capath; caPath in a profile) ({string.Join("; ", trust.Problems)})"
                            : $"the certificate of {host} is not trusted: give a directory with its CA certificate with -c/--capath (caPath in a profile), or skip verification with -k/--no-ssl-host-verify for development only";
                return false;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, token).ConfigureAwait(false);
            return (ssl, null);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return (null, new ConnectFailure(ConnectFailureKind.Tls, $"TLS handshake with {host} failed: {verifyError ?? ex.Message}"));
        }
    }

    private static async Task<ConnectFailure?> ConnectThroughProxyAsync(Stream stream, WebProxyAddress proxy, TunnelEndpoint endpoint, CancellationToken token)
    {
        string target = (endpoint.Host.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Host}]" : endpoint.Host) + ":" + endpoint.Port;
        var request = new StringBuilder();
        request.Append("CONNECT ").Append(target).Append(" HTTP/1.1\r\n");
        if (proxy.HasCredentials)
        {
            string credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{proxy.UserName}:{proxy.Password}"));
            request.Append("Proxy-Authorization: basic ").Append(credentials).Append("\r\n");
            request.Append("Host: ").Append(target).Append("\r\n");
        }

        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);

        // The proxy says nothing after its answer until we speak TLS, so reading ahead is safe.
        var buffer = new byte[MaxProxyReply];
        int filled = 0;
        while (true)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(filled), token).ConfigureAwait(false);
            if (read == 0)
            {
                return new ConnectFailure(ConnectFailureKind.Network, $"the web proxy {proxy} closed the connection before answering CONNECT");
            }

            filled += read;
            long end = HttpResponseHead.FindEnd(new ReadOnlySequence<byte>(buffer, 0, filled));
            if (end > 0)
            {
                var head = HttpResponseHead.TryParse(buffer.AsSpan(0, (int)end), out string error);
                if (head is null)
                {
                    return new ConnectFailure(ConnectFailureKind.Network, $"the web proxy {proxy} answered CONNECT with garbage: {error}");
                }

                return head.Status is >= 200 and < 300
                    ? null
                    : new ConnectFailure(ConnectFailureKind.Network, $"the web proxy {proxy} refused CONNECT {target}: {head.Status} {head.Reason}");
            }

            if (filled == buffer.Length)
            {
                return new ConnectFailure(ConnectFailureKind.Network, $"the web proxy {proxy} sent more than {MaxProxyReply} bytes without ending its answer");
            }
        }
    }

    private static async Task<(string? ChannelId, ConnectFailure? Failure)> ReadUpgradeAnswerAsync(PipeReader input, string key, string subprotocol, CancellationToken token)
    {
        HttpResponseHead? head = null;
        while (head is null)
        {
            var result = await input.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            long end = HttpResponseHead.FindEnd(buffer);
            if (end < 0)
            {
                if (buffer.Length > MaxResponseHead)
                {
                    return (null, new ConnectFailure(ConnectFailureKind.Protocol, $"the upgrade answer's head exceeds {MaxResponseHead} bytes"));
                }

                if (result.IsCompleted)
                {
                    return (null, new ConnectFailure(ConnectFailureKind.Network, "the service closed the connection before answering the upgrade request"));
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            head = HttpResponseHead.TryParse(buffer.Slice(0, end).ToArray(), out string error);
            input.AdvanceTo(buffer.GetPosition(end));
            if (head is null)
            {
                return (null, new ConnectFailure(ConnectFailureKind.Protocol, error));
            }
        }

        string? channelId = head["channel-id"];
        if (head.Status != 101)
        {
            string body = await ReadBodyAsync(input, head, token).ConfigureAwait(false);
            var kind = head.Status is >= 500 and <= 599 ? ConnectFailureKind.ServerError : ConnectFailureKind.Rejected;
            return (channelId, new ConnectFailure(kind, $"the service rejected the WebSocket upgrade: {head.Status} {head.Reason}", head.Status, body, channelId));
        }

        if (!string.Equals(head["Sec-WebSocket-Accept"], HandshakeRequest.ExpectedAccept(key), StringComparison.Ordinal))
        {
            return (channelId, new ConnectFailure(ConnectFailureKind.Protocol, "the service's Sec-WebSocket-Accept does not match our key", 101, null, channelId));
        }

        string? answered = head["Sec-WebSocket-Protocol"];
        if (answered is null)
        {
            return (channelId, new ConnectFailure(ConnectFailureKind.Protocol, "the service answered without a Sec-WebSocket-Protocol header", 101, null, channelId));
        }

        if (!string.Equals(answered.Trim(), subprotocol, StringComparison.Ordinal))
        {
            return (channelId, new ConnectFailure(ConnectFailureKind.Protocol, $"the service answered subprotocol \"{answered}\" but we offered \"{subprotocol}\"", 101, null, channelId));
        }

        return (channelId, null);
    }

    private static async Task<string> ReadBodyAsync(PipeReader input, HttpResponseHead head, CancellationToken token)
    {
        // Bounded: a short wait for the body the status line announced; whatever arrived is shown.
        using var bodyDeadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        bodyDeadline.CancelAfter(TimeSpan.FromSeconds(2));
        long wanted = long.TryParse(head["Content-Length"], out long length) ? Math.Min(length, MaxRejectionBody) : MaxRejectionBody;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(bodyDeadline.Token).ConfigureAwait(false);
                if (result.Buffer.Length >= wanted || result.IsCompleted)
                {
                    var body = result.Buffer.Slice(0, Math.Min(wanted, result.Buffer.Length));
                    string text = Encoding.UTF8.GetString(body.ToArray());
                    input.AdvanceTo(result.Buffer.End);
                    return text.Trim();
                }

                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            return string.Empty;
        }
    }
}
