using System.Net.Security;
using System.Net.WebSockets;
using System.Text;

namespace Gateway.Engine.Tests.Infrastructure;

public sealed class FakeTunnelServiceTests
{
    private const string Subprotocol = "aws.iot.securetunneling-3.0";

    [Fact]
    public async Task DefaultHandshakeAnswers101WithEchoedSubprotocolChannelIdAndCorrectAcceptKey()
    {
        await using var service = await FakeTunnelService.StartAsync();
        Assert.Equal(new Uri($"ws://127.0.0.1:{service.Port}"), service.Url);

        // RFC 6455 section 1.3 sample key and its accept value, computed independently of the fake.
        var connecting = MaskedWsClient.ConnectAsync(
            service.Url,
            extraHeaders: [("access-token", "tok"), ("client-token", "ct")],
            key: "dGhlIHNhbXBsZSBub25jZQ==");
        await using var connection = await service.AcceptAsync();
        await using var client = await connecting;

        Assert.Equal(101, client.StatusCode);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", client.Response.StartLine);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", client.Response.Header("Sec-WebSocket-Accept"));
        Assert.Equal(Subprotocol, client.Response.Header("Sec-WebSocket-Protocol"));
        Assert.Equal("websocket", client.Response.Header("Upgrade"));
        Assert.True(Guid.TryParse(client.Response.Header("channel-id"), out _));
        Assert.Equal(connection.ChannelId, client.Response.Header("channel-id"));

        Assert.False(connection.Rejected);
        Assert.Equal("GET /tunnel?local-proxy-mode=source HTTP/1.1", connection.RequestLine);
        Assert.Equal("/tunnel?local-proxy-mode=source", connection.RequestTarget);
        Assert.Equal(client.RequestText, connection.RequestText);
        Assert.Equal(
            ["Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "access-token", "client-token"],
            connection.Headers.Select(h => h.Name));
        Assert.Equal("tok", connection.Header("ACCESS-TOKEN"));
        Assert.Equal("127.0.0.1", connection.Header("host"));
        Assert.Null(connection.Header("cookie"));
        Assert.Equal(1, service.AcceptedCount);
    }

    [Fact]
    public async Task ClientWebSocketAcceptsTheHandshakeAndExchangesBinaryAndClose()
    {
        await using var service = await FakeTunnelService.StartAsync();
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol(Subprotocol);
        client.Options.SetRequestHeader("access-token", "tok");
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        using var cts = new CancellationTokenSource(TestTimeouts.Default);

        var connecting = client.ConnectAsync(new Uri(service.Url, "/tunnel?local-proxy-mode=destination"), cts.Token);
        await using var connection = await service.AcceptAsync();
        await connecting;
        Assert.Equal(Subprotocol, client.SubProtocol);
        Assert.Equal("/tunnel?local-proxy-mode=destination", connection.RequestTarget);

        await client.SendAsync(new byte[] { 0, 3, 1, 2, 3 }, WebSocketMessageType.Binary, true, cts.Token);
        var received = await connection.NextEventAsync();
        Assert.Equal(WsEventKind.Binary, received.Kind);
        Assert.Equal(new byte[] { 0, 3, 1, 2, 3 }, received.Payload);
        Assert.Equal(Hex.Parse("0003010203"), await connection.NextTunnelFrameAsync());
        Assert.False(connection.HasProtocolViolation, string.Join("; ", connection.ProtocolViolations));

        await connection.SendBinaryAsync(new byte[] { 0, 1, 42 });
        var buffer = new byte[16];
        var result = await client.ReceiveAsync(buffer, cts.Token);
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        Assert.True(result.EndOfMessage);
        Assert.Equal(new byte[] { 0, 1, 42 }, buffer[..result.Count]);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        await connection.WaitForDisconnectAsync();
        Assert.Equal((ushort)1000, connection.CloseReceived?.CloseCode);
        Assert.Equal("done", connection.CloseReceived?.CloseReason);
        Assert.True(connection.CloseSent);
        await connection.NextEventAsync(e => e.Kind == WsEventKind.Disconnected);
    }

    [Fact]
    public async Task RejectNextSendsACompleteResponseWithContentLengthThenCloses_AndIsOneShot()
    {
        await using var service = await FakeTunnelService.StartAsync();
        const string Body = "Invalid access token: The access token was previously used and can not be used again.";
        service.RejectNext(400, Body);

        var connecting = MaskedWsClient.ConnectAsync(service.Url, extraHeaders: [("access-token", "tok")]);
        await using var rejected = await service.AcceptAsync();
        await using var client = await connecting;

        Assert.True(rejected.Rejected);
        Assert.Equal(400, rejected.ResponseStatus);
        Assert.Equal("tok", rejected.Header("access-token"));
        Assert.Equal("HTTP/1.1 400 Bad Request", client.Response.StartLine);
        Assert.Equal(HandshakeReply.DefaultRejectChannelId, client.Response.Header("channel-id"));
        Assert.Null(client.Response.Header("Sec-WebSocket-Accept"));
        var contentLength = int.Parse(client.Response.Header("Content-Length")!, System.Globalization.CultureInfo.InvariantCulture);
        var rest = await client.ReadToEndAsync();
        Assert.Equal(TcpCloseKind.Eof, rest.ClosedBy);
        Assert.Equal(Encoding.UTF8.GetByteCount(Body), contentLength);
        Assert.Equal(Body, Encoding.UTF8.GetString(rest.Data));
        await rejected.WaitForDisconnectAsync();

        // The queue is empty again: the next upgrade gets the default answer.
        var second = MaskedWsClient.ConnectAsync(service.Url);
        await using var accepted = await service.AcceptAsync();
        await using var secondClient = await second;
        Assert.Equal(101, secondClient.StatusCode);
        Assert.False(accepted.Rejected);
    }

    [Fact]
    public async Task RejectionWithoutChannelIdAndServerErrorStatus()
    {
        await using var service = await FakeTunnelService.StartAsync();
        service.RejectNext(503, "try later", channelId: null);

        var connecting = MaskedWsClient.ConnectAsync(service.Url);
        await using var rejected = await service.AcceptAsync();
        await using var client = await connecting;

        Assert.Equal(503, client.StatusCode);
        Assert.Null(client.Response.Header("channel-id"));
        Assert.Equal("9", client.Response.Header("Content-Length"));
        Assert.Equal("try later", Encoding.UTF8.GetString((await client.ReadToEndAsync()).Data));
    }

    [Fact]
    public async Task AnswerSubprotocolOverridesOrOmitsTheHeaderForOneUpgradeEach()
    {
        await using var service = await FakeTunnelService.StartAsync();
        service.AnswerSubprotocol("aws.iot.securetunneling-2.0");
        service.AnswerSubprotocol(null);

        foreach (var expected in new[] { "aws.iot.securetunneling-2.0", null, Subprotocol })
        {
            var connecting = MaskedWsClient.ConnectAsync(service.Url);
            await using var connection = await service.AcceptAsync();
            await using var client = await connecting;
            Assert.Equal(101, client.StatusCode);
            Assert.Equal(expected, client.Response.Header("Sec-WebSocket-Protocol"));
            Assert.NotNull(client.Response.Header("channel-id"));
        }
    }

    [Fact]
    public async Task InvalidSecWebSocketKeyIsAnswered400()
    {
        await using var service = await FakeTunnelService.StartAsync();
        var connecting = MaskedWsClient.ConnectAsync(service.Url, key: "not-a-valid-key");
        await using var connection = await service.AcceptAsync();
        await using var client = await connecting;

        Assert.True(connection.Rejected);
        Assert.Equal(400, client.StatusCode);
        Assert.Contains("Sec-WebSocket-Key", Encoding.UTF8.GetString((await client.ReadToEndAsync()).Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TunnelFramesStraddlingBinaryMessagesAreReassembled()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var frameA = WsFraming.TunnelFrame([1, 2, 3]);
        var frameB = WsFraming.TunnelFrame(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray());
        var frameC = WsFraming.TunnelFrame([]);
        var stream = frameA.Concat(frameB).Concat(frameC).ToArray();

        // Message 1: frame A and the first 10 bytes of B; message 2: the rest of B and C, split after one prefix byte of C.
        var cut1 = frameA.Length + 10;
        var cut2 = frameA.Length + frameB.Length + 1;
        await pair.Client.SendFrameAsync(WsFraming.Binary, stream[..cut1]);
        Assert.Equal(frameA, await pair.Connection.NextTunnelFrameAsync());
        await pair.Client.SendFrameAsync(WsFraming.Ping, "1795543327811"u8.ToArray());
        await pair.Client.SendFrameAsync(WsFraming.Binary, stream[cut1..cut2]);
        Assert.Equal(frameB, await pair.Connection.NextTunnelFrameAsync());
        Assert.Equal(1, pair.Connection.PendingTunnelBytes);
        await pair.Client.SendFrameAsync(WsFraming.Binary, stream[cut2..]);
        Assert.Equal(frameC, await pair.Connection.NextTunnelFrameAsync());

        Assert.False(pair.Connection.MessagesEachHeldOneFrame);
        Assert.Equal(0, pair.Connection.PendingTunnelBytes);
        Assert.Equal("1795543327811", (await pair.Connection.NextPingAsync()).PayloadText);
        Assert.False(pair.Connection.HasProtocolViolation, string.Join("; ", pair.Connection.ProtocolViolations));
    }

    [Fact]
    public async Task MessagesEachHeldOneFrameStaysTrueForOneFramePerMessage_AndCoalescedFramesAreSplit()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var frames = new[] { WsFraming.TunnelFrame([9]), WsFraming.TunnelFrame([8, 7]) };
        foreach (var frame in frames)
        {
            await pair.Client.SendFrameAsync(WsFraming.Binary, frame);
        }

        Assert.Equal(frames[0], await pair.Connection.NextTunnelFrameAsync());
        Assert.Equal(frames[1], await pair.Connection.NextTunnelFrameAsync());
        Assert.True(pair.Connection.MessagesEachHeldOneFrame);

        await pair.Client.SendFrameAsync(WsFraming.Binary, frames[0].Concat(frames[1]).ToArray());
        Assert.Equal(frames[0], await pair.Connection.NextTunnelFrameAsync());
        Assert.Equal(frames[1], await pair.Connection.NextTunnelFrameAsync());
        Assert.False(pair.Connection.MessagesEachHeldOneFrame);
    }

    [Fact]
    public async Task FragmentedClientMessageIsReassembledAroundAnInterleavedPing()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var payload = Enumerable.Range(0, 10000).Select(i => (byte)(i * 31)).ToArray();

        await pair.Client.SendFrameAsync(WsFraming.Binary, payload[..4096], fin: false);
        await pair.Client.SendFrameAsync(WsFraming.Ping, "123"u8.ToArray());
        await pair.Client.SendFrameAsync(WsFraming.Continuation, payload[4096..8192], fin: false);
        await pair.Client.SendFrameAsync(WsFraming.Continuation, payload[8192..], fin: true);

        var ping = await pair.Connection.NextEventAsync();
        Assert.Equal(WsEventKind.Ping, ping.Kind);
        var message = await pair.Connection.NextEventAsync();
        Assert.Equal(WsEventKind.Binary, message.Kind);
        Assert.Equal(payload, message.Payload);
        Assert.Equal([4096, 4096, 1808], message.FrameSizes);

        var pong = await pair.Client.ReadFrameAsync();
        Assert.Equal(WsFraming.Pong, pong.Opcode);
        Assert.Equal("123"u8.ToArray(), pong.Payload);
        Assert.False(pair.Connection.HasProtocolViolation, string.Join("; ", pair.Connection.ProtocolViolations));
    }

    [Fact]
    public async Task PingIsRecordedAndAutoPongedWithTheSamePayload()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var stamp = "1795543327811"u8.ToArray();

        await pair.Client.SendFrameAsync(WsFraming.Ping, stamp);

        var pong = await pair.Client.ReadFrameAsync();
        Assert.Equal(WsFraming.Pong, pong.Opcode);
        Assert.True(pong.Fin);
        Assert.False(pong.Masked);
        Assert.Equal(stamp, pong.Payload);
        var ping = await pair.Connection.NextPingAsync();
        Assert.Equal(stamp, ping.Payload);
        Assert.Equal(WsEventKind.Ping, Assert.Single(pair.Connection.ControlEvents).Kind);
        Assert.Single(pair.Connection.Pings);
        Assert.Equal(WsEventKind.Ping, (await pair.Connection.NextEventAsync()).Kind);
        await pair.Connection.AssertNoTunnelFrameAsync(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task WithoutAutoPongThePingIsRecordedButNotAnswered()
    {
        await using var service = await FakeTunnelService.StartAsync();
        service.AutoPong = false;
        await using var pair = await FakeServicePair.OpenAsync(service);

        await pair.Client.SendFrameAsync(WsFraming.Ping, "1"u8.ToArray());
        await pair.Client.SendFrameAsync(WsFraming.Pong, "2"u8.ToArray());
        Assert.Equal("1", (await pair.Connection.NextPingAsync()).PayloadText);
        var pong = await pair.Connection.NextEventAsync(e => e.Kind == WsEventKind.Pong);
        Assert.Equal("2", pong.PayloadText);

        // The fake's next frame is what the test sends, not a pong.
        await pair.Connection.SendBinaryAsync(new byte[] { 0, 0 });
        var next = await pair.Client.ReadFrameAsync();
        Assert.Equal(WsFraming.Binary, next.Opcode);
        Assert.Equal([WsEventKind.Ping, WsEventKind.Pong], pair.Connection.ControlEvents.Select(e => e.Kind));
    }

    [Fact]
    public async Task UnmaskedClientFrameIsFlaggedAsAProtocolViolation()
    {
        await using var pair = await FakeServicePair.OpenAsync();

        await pair.Client.SendFrameAsync(WsFraming.Binary, WsFraming.TunnelFrame([5]), mask: false);

        var message = await pair.Connection.NextEventAsync();
        Assert.Equal(WsEventKind.Binary, message.Kind);
        Assert.Equal(Hex.Parse("000105"), message.Payload);
        Assert.True(pair.Connection.HasProtocolViolation);
        Assert.Contains("unmasked", Assert.Single(pair.Connection.ProtocolViolations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherClientFramingErrorsAreFlagged()
    {
        await using var pair = await FakeServicePair.OpenAsync();

        await pair.Client.SendFrameAsync(WsFraming.Continuation, new byte[] { 1 });
        await pair.Client.SendFrameAsync(WsFraming.Binary, new byte[] { 2 }, rsv: 4);
        await pair.Client.SendFrameAsync(WsFraming.Ping, new byte[126]);
        await pair.Client.SendFrameAsync(WsFraming.Pong, Array.Empty<byte>());

        await pair.Connection.NextEventAsync(e => e.Kind == WsEventKind.Pong);
        var violations = pair.Connection.ProtocolViolations;
        Assert.Equal(3, violations.Count);
        Assert.Contains("continuation", violations[0], StringComparison.Ordinal);
        Assert.Contains("RSV", violations[1], StringComparison.Ordinal);
        Assert.Contains("control frame", violations[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerSendsFramesAsSpecified()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var a = WsFraming.TunnelFrame([1]);
        var b = WsFraming.TunnelFrame([2, 2]);

        await pair.Connection.SendFramesAsync(a, b);
        await pair.Connection.SendCoalescedAsync(a, b);
        await pair.Connection.SendFragmentedAsync(new byte[10], 4);
        await pair.Connection.SendTextAsync("hi");
        await pair.Connection.SendPingAsync("p"u8.ToArray());
        await pair.Connection.SendPongAsync("q"u8.ToArray());
        await pair.Connection.SendRawAsync(WsFraming.Frame(WsFraming.Binary, [7], fin: true, rsv: 1));
        await pair.Connection.SendCloseAsync(1001, "going away");

        var frames = new List<WsFrame>();
        for (var i = 0; i < 11; i++)
        {
            frames.Add(await pair.Client.ReadFrameAsync());
        }

        Assert.All(frames, f => Assert.False(f.Masked));
        Assert.Equal(
            [WsFraming.Binary, WsFraming.Binary, WsFraming.Binary, WsFraming.Binary, WsFraming.Continuation, WsFraming.Continuation, WsFraming.Text, WsFraming.Ping, WsFraming.Pong, WsFraming.Binary, WsFraming.Close],
            frames.Select(f => f.Opcode));
        Assert.Equal(a, frames[0].Payload);
        Assert.Equal(b, frames[1].Payload);
        Assert.Equal(a.Concat(b), frames[2].Payload);
        Assert.Equal([4, 4, 2], frames.Skip(3).Take(3).Select(f => f.Payload.Length));
        Assert.Equal([false, false, true], frames.Skip(3).Take(3).Select(f => f.Fin));
        Assert.Equal("hi", Encoding.UTF8.GetString(frames[6].Payload));
        Assert.Equal(1, frames[9].Rsv);
        Assert.Equal(WsFraming.ClosePayload(1001, "going away"), frames[10].Payload);
        Assert.True(pair.Connection.CloseSent);

        // The client answers the close; the fake records it and closes TCP without replying again.
        await pair.Client.SendFrameAsync(WsFraming.Close, WsFraming.ClosePayload(1001, string.Empty));
        await pair.Connection.WaitForDisconnectAsync();
        Assert.Equal((ushort)1001, pair.Connection.CloseReceived?.CloseCode);
        Assert.Equal(TcpCloseKind.Eof, (await pair.Client.ReadToEndAsync()).ClosedBy);
    }

    [Fact]
    public async Task LargeMessagesUseExtendedLengths()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var medium = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var large = Enumerable.Range(0, 70000).Select(i => (byte)(i >> 3)).ToArray();

        await pair.Client.SendFrameAsync(WsFraming.Binary, medium);
        await pair.Client.SendFrameAsync(WsFraming.Binary, large);
        Assert.Equal(medium, (await pair.Connection.NextEventAsync()).Payload);
        Assert.Equal(large, (await pair.Connection.NextEventAsync()).Payload);

        await pair.Connection.SendBinaryAsync(large);
        Assert.Equal(large, (await pair.Client.ReadFrameAsync()).Payload);
    }

    [Fact]
    public async Task ClientCloseIsEchoedThenTcpIsClosed()
    {
        await using var pair = await FakeServicePair.OpenAsync();

        await pair.Client.SendFrameAsync(WsFraming.Close, WsFraming.ClosePayload(1000, "bye"));

        var echo = await pair.Client.ReadFrameAsync();
        Assert.Equal(WsFraming.Close, echo.Opcode);
        Assert.Equal(WsFraming.ClosePayload(1000, string.Empty), echo.Payload);
        Assert.Equal(TcpCloseKind.Eof, (await pair.Client.ReadToEndAsync()).ClosedBy);
        await pair.Connection.WaitForDisconnectAsync();
        var close = await pair.Connection.NextEventAsync();
        Assert.Equal(WsEventKind.Close, close.Kind);
        Assert.Equal("bye", close.CloseReason);
        Assert.Equal(WsEventKind.Disconnected, (await pair.Connection.NextEventAsync()).Kind);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pair.Connection.NextEventAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => pair.Connection.NextTunnelFrameAsync());
    }

    [Fact]
    public async Task AbortDropsTcpWithoutCloseFrame()
    {
        await using var pair = await FakeServicePair.OpenAsync();

        pair.Connection.Abort();

        var rest = await pair.Client.ReadToEndAsync();
        Assert.Empty(rest.Data);
        await pair.Connection.WaitForDisconnectAsync();
        Assert.False(pair.Connection.CloseSent);
        Assert.Contains("aborted", pair.Connection.DisconnectDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientDroppingTcpIsRecordedAsDisconnected()
    {
        await using var pair = await FakeServicePair.OpenAsync();

        await pair.Client.DisposeAsync();

        await pair.Connection.WaitForDisconnectAsync();
        Assert.Equal(WsEventKind.Disconnected, (await pair.Connection.NextEventAsync()).Kind);
        Assert.Null(pair.Connection.CloseReceived);
    }

    [Fact]
    public async Task WaitsAreBoundedAndReportTimeouts()
    {
        await using var pair = await FakeServicePair.OpenAsync();
        var shortWait = TimeSpan.FromMilliseconds(100);

        var noEvent = await Assert.ThrowsAsync<TimeoutException>(() => pair.Connection.NextEventAsync(shortWait));
        Assert.Contains("No matching WebSocket event", noEvent.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TimeoutException>(() => pair.Connection.NextPingAsync(shortWait));
        await Assert.ThrowsAsync<TimeoutException>(() => pair.Connection.WaitForDisconnectAsync(shortWait));

        await pair.Client.SendFrameAsync(WsFraming.Binary, new byte[] { 0, 5, 1 });
        var partial = await Assert.ThrowsAsync<TimeoutException>(() => pair.Connection.NextTunnelFrameAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Contains("000501", partial.Message, StringComparison.Ordinal);
        await pair.Connection.AssertNoTunnelFrameAsync(TimeSpan.FromMilliseconds(50));

        await pair.Client.SendFrameAsync(WsFraming.Binary, new byte[] { 2, 3, 4, 5 });
        var unexpected = await Assert.ThrowsAnyAsync<Exception>(() => pair.Connection.AssertNoTunnelFrameAsync(TestTimeouts.Default));
        Assert.Contains("00050102030405", unexpected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptTimesOutWithoutLosingALaterConnection()
    {
        await using var service = await FakeTunnelService.StartAsync();

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => service.AcceptAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Contains(service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), timeout.Message, StringComparison.Ordinal);
        await service.AssertNoConnectionAsync(TimeSpan.FromMilliseconds(50));

        var connecting = MaskedWsClient.ConnectAsync(service.Url);
        await using var connection = await service.AcceptAsync();
        await using var client = await connecting;
        Assert.Equal(101, client.StatusCode);
    }

    [Fact]
    public async Task TlsModeServesACertificateTheClientCanTrust()
    {
        await using var service = await FakeTunnelService.StartAsync(useTls: true);
        Assert.Equal(new Uri($"wss://127.0.0.1:{service.Port}"), service.Url);
        Assert.True(service.Certificate.HasPrivateKey);
        Assert.Equal("CN=localhost", service.Certificate.Subject);

        foreach (var host in new[] { "127.0.0.1", "localhost" })
        {
            var connecting = MaskedWsClient.ConnectAsync(service.Url, trustedCertificate: service.Certificate, tlsHost: host);
            await using var connection = await service.AcceptAsync();
            await using var client = await connecting;
            Assert.Equal(101, client.StatusCode);

            await client.SendFrameAsync(WsFraming.Ping, "7"u8.ToArray());
            Assert.Equal("7"u8.ToArray(), (await client.ReadFrameAsync()).Payload);
            await client.SendFrameAsync(WsFraming.Binary, WsFraming.TunnelFrame([1, 2]));
            Assert.Equal(Hex.Parse("00020102"), await connection.NextTunnelFrameAsync());
            await connection.SendFramesAsync(WsFraming.TunnelFrame([3]));
            Assert.Equal(Hex.Parse("000103"), (await client.ReadFrameAsync()).Payload);
        }
    }

    [Fact]
    public async Task TlsModeWorksWithClientWebSocket()
    {
        await using var service = await FakeTunnelService.StartAsync(useTls: true);
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol(Subprotocol);
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        var trusted = service.Certificate;
        client.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString()
            && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        using var cts = new CancellationTokenSource(TestTimeouts.Default);

        var connecting = client.ConnectAsync(new Uri(service.Url, "/tunnel?local-proxy-mode=source"), cts.Token);
        await using var connection = await service.AcceptAsync();
        await connecting;

        await client.SendAsync(WsFraming.TunnelFrame([4]), WebSocketMessageType.Binary, true, cts.Token);
        Assert.Equal(Hex.Parse("000104"), await connection.NextTunnelFrameAsync());
    }

    [Fact]
    public async Task UntrustingTlsClientFails()
    {
        await using var service = await FakeTunnelService.StartAsync(useTls: true);

        var connecting = MaskedWsClient.ConnectAsync(service.Url);
        var accepting = service.AcceptAsync();

        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => connecting);
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }
}
