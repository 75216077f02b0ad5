using System.Diagnostics;
using Gateway.Engine.Tests.Infrastructure;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// Destination-mode scenarios of vectors.json (6a-6e, 7a, 7b) replayed against the engine with a local echo server:
/// the frames it sends must be byte-equal to the reference's. Deliberate difference (docs/protocol.md section 18):
/// STREAM_START and DATA coalesced in one WebSocket message (6c) are both delivered.
/// </summary>
public sealed class ReferenceScenarioDestinationTests
{
    [Fact]
    public async Task Scenario6a_EchoConnectionStartLocalCloseAndResets_MatchTheReference()
    {
        var sent = SessionTestKit.Sent("6a");
        var injected = SessionTestKit.Injected("6a");
        Assert.Equal(4, sent.Count);
        Assert.Equal(9, injected.Count);
        await using var echo = EchoServer.Start();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{echo.Port}"), injected[0].Hex);

        // STREAM_START sid1 cid1: a local connection, nothing sent back; DATA is echoed with the same ids.
        await service.SendFramesAsync(injected[1].Hex);
        var first = await echo.NextConnectionAsync();
        await service.SendFramesAsync(injected[2].Hex);
        await SessionTestKit.ExpectAsync(service, sent[0]);

        // CONNECTION_START cid2: a second local connection.
        await service.SendFramesAsync(injected[3].Hex);
        var second = await echo.NextConnectionAsync();
        await service.SendFramesAsync(injected[4].Hex);
        await SessionTestKit.ExpectAsync(service, sent[1]);

        // The local end closes connection 1: CONNECTION_RESET sid1 cid1.
        first.Close();
        await SessionTestKit.ExpectAsync(service, sent[2]);

        // Injected CONNECTION_RESET cid2: echoed byte for byte, local socket closed.
        await service.SendFramesAsync(injected[5].Hex);
        await SessionTestKit.ExpectAsync(service, sent[3]);
        Assert.Equal(injected[5].Hex, sent[3].Hex);
        await second.WaitForClosedAsync(TestTimeouts.Short);

        // STREAM_START sid2 (coalesced with DATA, as captured) while stream 1 is current: consumed, no new local
        // connection, DATA dropped, nothing sent; STREAM_RESET sid2 then produces nothing either.
        await service.SendCoalescedAsync(injected[6].Hex, injected[7].Hex);
        await service.SendFramesAsync(injected[8].Hex);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.Equal(2, echo.Accepted);
        Assert.All(echo.Connections, c => Assert.Equal(5, c.ReceivedBytes));
        Assert.Equal(Gateway.Engine.Sessions.SessionState.Connected, kit.Snapshot.State);
    }

    [Fact]
    public async Task Scenario6b_FailedLocalConnect_AnswersStreamResetWithoutConnectionId()
    {
        var sent = SessionTestKit.Sent("6b");
        var injected = SessionTestKit.Injected("6b");
        Assert.Equal(3, sent.Count);
        using var refusing = SessionTestKit.RefusingPort(out int port);
        await using var kit = await SessionTestKit.CreateAsync();

        // tcp.connection_retry_count 1, tcp.connection_retry_delay_ms 200, as the capture.
        var settings = SessionTestKit.FastSettings with { TcpConnectionRetryCount = 1, TcpConnectionRetryDelayMs = 200 };
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{port}", settings), injected[0].Hex);

        // STREAM_START, CONNECTION_START and a new STREAM_START each fail after one retry: STREAM_RESET sid+svc, no cid.
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await service.SendFramesAsync(injected[i + 1].Hex);
            await SessionTestKit.ExpectAsync(service, sent[i]);
            Assert.True(clock.ElapsedMilliseconds >= 150, $"{sent[i].What} came after {clock.ElapsedMilliseconds} ms: the retry delay of 200 ms was not honoured");
        }

        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.Equal(Gateway.Engine.Sessions.SessionState.Connected, kit.Snapshot.State);
    }

    [Fact]
    public async Task Scenario6c_StreamStartAndDataCoalescedInOneMessage_AreBothDelivered()
    {
        // The reference loses the DATA here; the engine accepts any packing (docs/protocol.md section 18).
        var injected = SessionTestKit.Injected("6c");
        var echoed = SessionTestKit.Sent("6d")[0];
        await using var echo = EchoServer.Start(keepReceived: true);
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{echo.Port}"), injected[0].Hex);

        await service.SendCoalescedAsync(injected[1].Hex, injected[2].Hex);
        var connection = await echo.NextConnectionAsync();
        await connection.WaitForReceivedAsync(5);
        Assert.Equal("hello"u8.ToArray(), connection.Received);
        await SessionTestKit.ExpectAsync(service, echoed);
        Assert.Equal(injected[2].Hex, echoed.Hex);
    }

    [Fact]
    public async Task Scenario6d_StreamStartAndDataBackToBack_DataIsEchoed()
    {
        var sent = SessionTestKit.Sent("6d");
        var injected = SessionTestKit.Injected("6d");
        await using var echo = EchoServer.Start();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{echo.Port}"), injected[0].Hex);

        await service.SendFramesAsync(injected[1].Hex, injected[2].Hex);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task Scenario6e_NewStreamStartWhileAStreamIsOpen_ResetsItAndWaitsForTheNextOne()
    {
        var sent = SessionTestKit.Sent("6e");
        var injected = SessionTestKit.Injected("6e");
        Assert.Equal(2, sent.Count);
        Assert.Equal(7, injected.Count);
        await using var echo = EchoServer.Start();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Destination($"SSH1=127.0.0.1:{echo.Port}"), injected[0].Hex);

        await service.SendFramesAsync(injected[1].Hex);
        var first = await echo.NextConnectionAsync();
        await service.SendFramesAsync(injected[2].Hex);
        await SessionTestKit.ExpectAsync(service, sent[0]);

        // STREAM_START sid2 while stream 1 is open: the local connection is closed, no new one, nothing sent;
        // DATA sid2 is dropped.
        await service.SendFramesAsync(injected[3].Hex);
        await first.WaitForClosedAsync(TestTimeouts.Short);
        await service.SendFramesAsync(injected[4].Hex);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.Equal(1, echo.Accepted);
        Assert.Equal(5, first.ReceivedBytes);

        // STREAM_START sid3 opens a connection and DATA sid3 is echoed.
        await service.SendFramesAsync(injected[5].Hex);
        var second = await echo.NextConnectionAsync();
        await service.SendFramesAsync(injected[6].Hex);
        await SessionTestKit.ExpectAsync(service, sent[1]);
        Assert.Equal(5, second.ReceivedBytes);
    }

    [Theory]
    [InlineData("7a", true)]
    [InlineData("7b", false)]
    public async Task Scenario7_V2AndV1StylePeers_GetMirroredReplies(string scenario, bool named)
    {
        // 7a: STREAM_START with serviceId and no connectionId -> replies without connectionId, local close -> STREAM_RESET.
        // 7b: neither serviceId nor connectionId (SERVICE_IDS [], unnamed map) -> replies carry only type/streamId/payload.
        var sent = SessionTestKit.Sent(scenario);
        var injected = SessionTestKit.Injected(scenario);
        Assert.Equal(3, sent.Count);
        Assert.Equal(6, injected.Count);
        await using var echo = EchoServer.Start();
        await using var kit = await SessionTestKit.CreateAsync();
        string endpoint = $"127.0.0.1:{echo.Port}";
        var service = await kit.ConnectAsync(kit.Destination(named ? $"SSH1={endpoint}" : endpoint), injected[0].Hex);

        await service.SendFramesAsync(injected[1].Hex);
        var first = await echo.NextConnectionAsync();
        await service.SendFramesAsync(injected[2].Hex);
        await SessionTestKit.ExpectAsync(service, sent[0]);

        // The local end closes: STREAM_RESET (not CONNECTION_RESET) with the peer's field set.
        first.Close();
        await SessionTestKit.ExpectAsync(service, sent[1]);

        await service.SendFramesAsync(injected[3].Hex);
        var second = await echo.NextConnectionAsync();
        await service.SendFramesAsync(injected[4].Hex);
        await SessionTestKit.ExpectAsync(service, sent[2]);

        // An injected STREAM_RESET closes the local socket silently.
        await service.SendFramesAsync(injected[5].Hex);
        await second.WaitForClosedAsync(TestTimeouts.Short);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.Equal(2, echo.Accepted);
    }
}
