using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// One test per row of docs/protocol.md section 17 ("where our engine deliberately differs from the reference") that can
/// be shown at frame level with the fake service: same bytes on the wire, better behaviour around them.
/// Not covered here (not observable through the fake): the fast-local-sender row (the fake always reads) and
/// TCP_NODELAY (a socket option of the engine's own sockets).
/// </summary>
public sealed partial class DeliberateDifferenceTests
{
    private const string ChannelId = "5a1e0c1d-0000-4000-8000-00000000c0de";

    // ---- handshake answered 4xx -------------------------------------------------------------------------------

    [Theory]
    [InlineData(400, "Invalid access token: The access token was previously used and can not be used again.")]
    [InlineData(429, "Too many requests")]
    public async Task Handshake4xx_EndsFailedWithStatusBodyAndChannelId_WithoutRetrying(int status, string body)
    {
        await using var kit = await SessionTestKit.CreateAsync();
        kit.Fake.RejectNext(status, body, ChannelId);
        kit.Start(kit.Source($"SSH1={Tcp.FreePort()}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = -1 }));
        var rejected = await kit.Fake.AcceptAsync();
        Assert.True(rejected.Rejected);

        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        Assert.Equal(status, failed.HandshakeStatus);
        Assert.Equal(body, failed.HandshakeBody);
        Assert.Equal(ChannelId, failed.ChannelId);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), failed.LastError, StringComparison.Ordinal);
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
        Assert.Equal(1, kit.Fake.AcceptedCount);
    }

    [Fact]
    public async Task AnAnswerThatRepeatsTheTokenDoesNotBringItIntoTheLogStateOrSnapshot()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        string clientToken = "client-token-repeated-by-the-service-0123";
        kit.Fake.RejectNext(403, $"Forbidden: token {SessionTestKit.AccessToken} with client token {clientToken}", ChannelId);
        kit.Start(kit.Source($"SSH1={Tcp.FreePort()}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = -1 }, clientToken: clientToken));
        Assert.True((await kit.Fake.AcceptAsync()).Rejected);

        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        string everything = string.Join("\n", kit.LogText, failed.StateReason, failed.LastError, failed.HandshakeBody);
        Assert.DoesNotContain(SessionTestKit.AccessToken, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(clientToken, everything, StringComparison.Ordinal);
        Assert.Equal("Forbidden: token [token] with client token [token]", failed.HandshakeBody);
        Assert.Contains("Forbidden: token [token]", kit.LogText, StringComparison.Ordinal);
    }

    // ---- handshake 5xx: connect_retry_count honoured exactly, back-off --------------------------------------------

    [Fact]
    public async Task Handshake5xx_HonoursConnectRetryCountExactly_WithGrowingBackoff()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        kit.Fake.HandshakeReply = HandshakeReply.Reject(503, "try later", ChannelId);
        kit.Start(kit.Source($"SSH1={Tcp.FreePort()}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = 2, RetryDelayMs = 100 }));

        var accepted = new List<long>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3; i++)
        {
            var attempt = await kit.Fake.AcceptAsync();
            accepted.Add(clock.ElapsedMilliseconds);
            Assert.True(attempt.Rejected);
        }

        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
        Assert.Equal(3, kit.Fake.AcceptedCount);
        Assert.Equal(503, failed.HandshakeStatus);
        Assert.Contains("3 attempt", failed.StateReason, StringComparison.Ordinal);

        // Back-off starts at retry_delay_ms (100, jitter 0.8-1.2) and doubles: lower bounds only.
        Assert.True(accepted[1] - accepted[0] >= 70, $"first retry after {accepted[1] - accepted[0]} ms");
        Assert.True(accepted[2] - accepted[1] >= 140, $"second retry after {accepted[2] - accepted[1]} ms");
    }

    [Fact]
    public async Task NetworkError_HonoursConnectRetryCountExactly()
    {
        using var refusing = SessionTestKit.RefusingPort(out int port);
        await using var kit = await SessionTestKit.CreateAsync();
        kit.Start(kit.Source($"SSH1={Tcp.FreePort()}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = 2, RetryDelayMs = 100 }) with
        {
            Endpoint = $"ws://127.0.0.1:{port}",
        });

        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        Assert.Contains("3 attempt", failed.StateReason, StringComparison.Ordinal);
        Assert.Null(failed.HandshakeStatus);
        Assert.NotNull(failed.LastError);
    }

    // ---- reconnect after a drop: back-off and the same (generated) client token -----------------------------------

    [Fact]
    public async Task ReconnectAfterDrop_BacksOffAndSendsTheSameGeneratedClientToken()
    {
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var serviceIds = SessionTestKit.Injected("2")[0].Hex;
        var first = await kit.ConnectAsync(kit.Source($"SSH1={port}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = -1 }), serviceIds);
        string token = first.Header("client-token")!;
        Assert.Matches(GeneratedToken(), token);

        var clock = Stopwatch.StartNew();
        first.Abort();
        var second = await kit.Fake.AcceptAsync();
        long gap = clock.ElapsedMilliseconds;
        Assert.Equal(token, second.Header("client-token"));
        Assert.Equal(SessionTestKit.AccessToken, second.Header("access-token"));
        Assert.True(gap >= 70, $"reconnected {gap} ms after the drop: no back-off");

        await second.SendFramesAsync(serviceIds);
        var ready = await kit.WaitReadyAsync();
        Assert.Equal(1, ready.Reconnects);
        Assert.Contains(SessionState.Reconnecting, kit.StatesSeen);

        // The port stayed ours; the new connection starts its ids over.
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(second, SessionTestKit.Sent("2")[0]);
    }

    // ---- slow local reader ---------------------------------------------------------------------------------------

    [Fact]
    public async Task SlowLocalReader_PausesReadingTheTunnelVisibly_AndLosesNoData()
    {
        const int Frames = 200;
        const int PayloadSize = 60_000;
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("2")[0].Hex);
        await using var reader = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, SessionTestKit.Sent("2")[0]);

        var data = Pattern(Frames * PayloadSize);
        var frames = Enumerable.Range(0, Frames)
            .Select(i => FrameWriter.ToArray(TunnelMessages.Data(1, "SSH1", 1, data.AsSpan(i * PayloadSize, PayloadSize))))
            .ToArray();
        var push = service.SendFramesAsync(frames);

        var paused = await kit.WaitForAsync(s => s.ReceivePaused, "paused (receive)");
        Assert.Equal(SessionState.Connected, paused.State);

        var received = await reader.ReadExactlyAsync(data.Length);
        Assert.True(data.AsSpan().SequenceEqual(received), "the local reader did not get the bytes in order");
        await push.WaitAsync(TestTimeouts.Default);
        var resumed = await kit.WaitForAsync(s => !s.ReceivePaused && s.BytesFromTunnel == data.Length, "resumed with every byte delivered");
        Assert.Equal(SessionState.Connected, resumed.State);
    }

    // ---- pong with a non-numeric or empty payload -------------------------------------------------------------------

    [Fact]
    public async Task PongWithEmptyOrNonNumericPayload_IsIgnored()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={Tcp.FreePort()}"), SessionTestKit.Injected("8")[0].Hex);

        await service.SendPongAsync(Array.Empty<byte>());
        await service.SendPongAsync(SessionTestKit.Ascii("not-a-number"));
        await service.SendPongAsync(SessionTestKit.Ascii("99999999999999999999999"));

        // Still connected and still reading: a ping is answered.
        await service.SendPingAsync(SessionTestKit.Ascii("still-there"));
        var pong = await service.NextEventAsync(e => e.Kind == WsEventKind.Pong, TestTimeouts.Short);
        Assert.Equal("still-there", pong.PayloadText);
        Assert.False(service.IsDisconnected);
        var snapshot = kit.Snapshot;
        Assert.Equal(SessionState.Connected, snapshot.State);
        Assert.Equal(0, snapshot.Reconnects);
    }

    // ---- unknown type, ignorable=false --------------------------------------------------------------------------

    [Fact]
    public async Task UnknownNonIgnorableType_ResetsTheStreamItNames_OtherStreamsGoOn()
    {
        var sent5 = SessionTestKit.Sent("5");
        var injected5 = SessionTestKit.Injected("5");
        int ssh = Tcp.FreePort();
        int web = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={ssh},WEB={web}"), injected5[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(ssh);
        await SessionTestKit.ExpectAsync(service, sent5[0]);
        await using var b = await TcpTestClient.ConnectAsync(web);
        await SessionTestKit.ExpectAsync(service, sent5[2]);

        var unknown = FrameWriter.ToArray(new Message { Type = (Message.Types.Type)9, StreamId = 1, ServiceId = "SSH1", ConnectionId = 1 });
        Assert.Equal("000c080910012a04535348313801", Hex.Of(unknown));
        await service.SendFramesAsync(unknown);

        // STREAM_RESET sid1 SSH1 (the same bytes the reference's peers send, vector 2), and A is closed.
        await SessionTestKit.ExpectAsync(service, SessionTestKit.Injected("2").Single(f => f.Type == Message.Types.Type.StreamReset).Hex, "STREAM_RESET sid1 SSH1");
        Assert.True(await a.IsClosedByPeerAsync(TestTimeouts.Short), "the connection of the reset stream is still open");

        // WEB goes on in both directions.
        await service.SendFramesAsync(injected5[1].Hex);
        Assert.Equal("web1", System.Text.Encoding.ASCII.GetString(await b.ReadExactlyAsync(4)));
        await b.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent5[3]);

        // SSH1 starts a new stream for the next client.
        await using var c = await TcpTestClient.ConnectAsync(ssh);
        await SessionTestKit.ExpectAsync(service, FrameWriter.ToArray(TunnelMessages.StreamStart(2, "SSH1", 2)), "STREAM_START sid2 SSH1 cid2");
        Assert.Equal(SessionState.Connected, kit.Snapshot.State);
    }

    // ---- more than tcp.max_active_connections -------------------------------------------------------------------

    [Fact]
    public async Task MoreThanMaxActiveConnections_TheExtraConnectionIsClosedAtOnce()
    {
        var sent = SessionTestKit.Sent("2");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}", settings: SessionTestKit.FastSettings with { TcpMaxActiveConnections = 1 }), SessionTestKit.Injected("2")[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);

        await using var extra = await TcpTestClient.ConnectAsync(port);
        Assert.True(await extra.IsClosedByPeerAsync(TestTimeouts.Short), "the connection beyond tcp.max_active_connections was not closed");
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);

        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);
        var snapshot = kit.Snapshot;
        Assert.Equal(SessionState.Connected, snapshot.State);
        Assert.Equal(1, snapshot.ActiveConnections);
        Assert.Contains("max_active_connections", kit.LogText, StringComparison.Ordinal);
    }

    // ---- SESSION_RESET -------------------------------------------------------------------------------------------

    [Fact]
    public async Task SessionReset_ClosesEveryLocalConnection_AndTheSessionStaysConnected()
    {
        var sent = SessionTestKit.Sent("2");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("2")[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);

        var sessionReset = SessionTestKit.Injected("10").Single(f => f.Type == Message.Types.Type.SessionReset);
        await service.SendFramesAsync(sessionReset.Hex);
        Assert.True(await a.IsClosedByPeerAsync(TestTimeouts.Short), "client A survived SESSION_RESET");
        Assert.True(await b.IsClosedByPeerAsync(TestTimeouts.Short), "client B survived SESSION_RESET");
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        await kit.WaitForAsync(s => s.ActiveConnections == 0, "without connections");
        Assert.Equal(SessionState.Connected, kit.Snapshot.State);
        Assert.False(service.IsDisconnected);

        // The next client starts a new stream (sid2) and connection ids go on (cid3), as after a STREAM_RESET.
        await using var c = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[5]);
        await c.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[6]);
    }

    // ---- second SERVICE_IDS --------------------------------------------------------------------------------------

    [Fact]
    public async Task SecondServiceIdsWithTheSameIds_KeepsLiveConnectionsAndTheirStream()
    {
        var sent = SessionTestKit.Sent("2");
        var injected = SessionTestKit.Injected("2");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), injected[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);

        await service.SendFramesAsync(injected[0].Hex);

        // A is still connected both ways and the stream is kept: the next client gets CONNECTION_START sid1 cid2.
        await service.SendFramesAsync(injected[1].Hex);
        Assert.Equal("world", System.Text.Encoding.ASCII.GetString(await a.ReadExactlyAsync(5)));
        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);
        var snapshot = kit.Snapshot;
        Assert.Equal(SessionState.Connected, snapshot.State);
        Assert.Null(snapshot.StateReason);
        Assert.Equal(2, snapshot.ActiveConnections);
    }

    [Fact]
    public async Task SecondServiceIdsWithOtherIds_IsValidatedAgain_AndAMismatchFails()
    {
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("2")[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, SessionTestKit.Sent("2")[0]);

        await service.SendFramesAsync(FrameWriter.ToArray(TunnelMessages.ServiceIds(["WEB"])));
        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        Assert.Contains("WEB", failed.StateReason, StringComparison.Ordinal);
        Assert.True(await a.IsClosedByPeerAsync(TestTimeouts.Short), "the local connection survived the failed session");
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
        await SessionTestKit.AssertRefusedAsync(port);
    }

    // ---- close frame from the service ------------------------------------------------------------------------------

    [Fact]
    public async Task CloseFrameFromService_IsAnswered_LocalConnectionsReset_SessionEndsClosedWithCodeAndReason()
    {
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = -1 }), SessionTestKit.Injected("11b")[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, SessionTestKit.Sent("11b")[0]);

        await service.SendCloseAsync(1001, "tunnel expired");
        var reply = await service.NextEventAsync(e => e.Kind == WsEventKind.Close, TestTimeouts.Short);
        Assert.Equal((ushort)1001, reply.CloseCode);
        Assert.True(await a.IsClosedByPeerAsync(TestTimeouts.Short), "the local connection was not reset");

        var closed = await kit.WaitForAsync(s => s.State == SessionState.Closed, "Closed");
        Assert.Equal(1001, closed.CloseCode);
        Assert.Equal("tunnel expired", closed.CloseReason);
        await service.WaitForDisconnectAsync(TestTimeouts.Short);
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
        Assert.False(service.HasProtocolViolation, string.Join("; ", service.ProtocolViolations));
    }

    // ---- IPv6 literal in address:port --------------------------------------------------------------------------

    [Fact]
    public async Task Ipv6LiteralDestination_IsConnectedTo()
    {
        var injected = SessionTestKit.Injected("6d");
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=[::1]:{port}"), injected[0].Hex);

        await service.SendFramesAsync(injected[1].Hex, injected[2].Hex);
        using var acceptTimeout = new CancellationTokenSource(TestTimeouts.Default);
        using var accepted = await listener.AcceptSocketAsync(acceptTimeout.Token);
        Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
        await using var stream = new NetworkStream(accepted);
        var hello = new byte[5];
        using (var read = new CancellationTokenSource(TestTimeouts.Default))
        {
            await stream.ReadExactlyAsync(hello, read.Token);
        }

        Assert.Equal("hello"u8.ToArray(), hello);
        using (var write = new CancellationTokenSource(TestTimeouts.Default))
        {
            await stream.WriteAsync(hello, write.Token);
        }

        await SessionTestKit.ExpectAsync(service, SessionTestKit.Sent("6d")[0]);
    }

    // ---- bind address in destination mode ------------------------------------------------------------------------

    [Fact]
    public async Task DestinationBindAddress_IsReallyBound()
    {
        var injected = SessionTestKit.Injected("6d");
        await using var echo = EchoServer.Start();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{echo.Port}", bindAddress: "127.0.0.2"), injected[0].Hex);

        await service.SendFramesAsync(injected[1].Hex, injected[2].Hex);
        var connection = await echo.NextConnectionAsync();
        Assert.Equal(IPAddress.Parse("127.0.0.2"), ((IPEndPoint)connection.RemoteEndPoint!).Address);
        await SessionTestKit.ExpectAsync(service, SessionTestKit.Sent("6d")[0]);
    }

    // ---- destination under sustained load ----------------------------------------------------------------------

    [Fact]
    public async Task DestinationUnderLoad_EchoesEveryByte_InDataOfAtMost64512Bytes()
    {
        const int Frames = 64;
        var injected = SessionTestKit.Injected("6d");
        await using var echo = EchoServer.Start();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{echo.Port}"), injected[0].Hex);
        await service.SendFramesAsync(injected[1].Hex);

        var data = Pattern(Frames * TunnelMessages.MaxPayloadSize);
        var frames = Enumerable.Range(0, Frames)
            .Select(i => FrameWriter.ToArray(TunnelMessages.Data(1, "SSH1", 1, data.AsSpan(i * TunnelMessages.MaxPayloadSize, TunnelMessages.MaxPayloadSize))))
            .ToArray();
        var push = service.SendFramesAsync(frames);

        var echoed = new MemoryStream();
        while (echoed.Length < data.Length)
        {
            var frame = await service.NextTunnelFrameAsync();
            var message = SessionTestKit.Decode(frame);
            Assert.Equal(Message.Types.Type.Data, message.Type);
            Assert.Equal(1, message.StreamId);
            Assert.Equal("SSH1", message.ServiceId);
            Assert.Equal(1u, message.ConnectionId);
            Assert.InRange(message.Payload.Length, 1, TunnelMessages.MaxPayloadSize);
            echoed.Write(message.Payload.Span);
        }

        await push.WaitAsync(TestTimeouts.Default);
        Assert.True(data.AsSpan().SequenceEqual(echoed.ToArray()), "the echoed bytes differ");
        Assert.True(service.MessagesEachHeldOneFrame, "a WebSocket message from the engine held more or less than one tunnel frame");
        Assert.Equal(SessionState.Connected, kit.Snapshot.State);
    }

    // ---- listen backlog ------------------------------------------------------------------------------------------

    [Fact]
    public async Task HundredConcurrentConnects_AreAllAcceptedWithinMilliseconds()
    {
        const int Clients = 100;
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("2")[0].Hex);

        var clock = Stopwatch.StartNew();
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => TcpTestClient.ConnectAsync(port, TestTimeouts.Short)));
        try
        {
            var starts = new List<Message>();
            for (int i = 0; i < Clients; i++)
            {
                starts.Add(SessionTestKit.Decode(await service.NextTunnelFrameAsync(TestTimeouts.Short)));
            }

            long elapsed = clock.ElapsedMilliseconds;
            Assert.True(elapsed < 3_000, $"{Clients} connects took {elapsed} ms (the reference needed 45 s)");
            Assert.Equal(Message.Types.Type.StreamStart, starts[0].Type);
            Assert.All(starts.Skip(1), m => Assert.Equal(Message.Types.Type.ConnectionStart, m.Type));
            Assert.All(starts, m => Assert.Equal(1, m.StreamId));
            Assert.Equal(Enumerable.Range(1, Clients).Select(i => (uint)i), starts.Select(m => m.ConnectionId));
            await kit.WaitForAsync(s => s.ActiveConnections == Clients, $"carrying {Clients} connections");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    // ---- Sec-WebSocket-Protocol answered with another value ------------------------------------------------------

    [Fact]
    public async Task ForeignSubprotocolAnswer_TheConnectionIsNotUsed_AndTheNextAttemptIs()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        kit.Fake.AnswerSubprotocol("aws.iot.securetunneling-2.0");
        kit.Start(kit.Source($"SSH1={Tcp.FreePort()}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = 1 }));

        var foreign = await kit.Fake.AcceptAsync();
        Assert.False(foreign.Rejected);
        await foreign.WaitForDisconnectAsync(TestTimeouts.Short);
        await foreign.AssertNoTunnelFrameAsync(TimeSpan.FromMilliseconds(1));

        var used = await kit.Fake.AcceptAsync();
        await used.SendFramesAsync(SessionTestKit.Injected("2")[0].Hex);
        await kit.WaitReadyAsync();
        Assert.Equal(2, kit.Fake.AcceptedCount);
        Assert.Contains("aws.iot.securetunneling-2.0", kit.LogText, StringComparison.Ordinal);
        Assert.Contains("subprotocol", kit.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignSubprotocolAnswer_WithoutRetries_FailsNamingTheSubprotocol()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        kit.Fake.AnswerSubprotocol("aws.iot.securetunneling-1.0");
        kit.Start(kit.Source($"SSH1={Tcp.FreePort()}", settings: SessionTestKit.FastSettings with { ConnectRetryCount = 0 }));

        var foreign = await kit.Fake.AcceptAsync();
        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        Assert.Contains("subprotocol", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("aws.iot.securetunneling-1.0", failed.LastError, StringComparison.Ordinal);
        await foreign.WaitForDisconnectAsync(TestTimeouts.Short);
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 251);
        }

        return data;
    }

    [GeneratedRegex("^[a-zA-Z0-9-]{48}$")]
    private static partial Regex GeneratedToken();
}
