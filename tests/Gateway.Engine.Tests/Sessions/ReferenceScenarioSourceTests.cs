using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// Source-mode scenarios of vectors.json (2, 3a-3c, 4a-4c, 5, 9, 11a) replayed against the engine: the frames it
/// sends must be byte-equal to what the reference sent in the same situation.
/// </summary>
public sealed class ReferenceScenarioSourceTests
{
    /// <summary>The captured hex of a large DATA frame stops after this many payload bytes.</summary>
    private const int VisiblePayloadBytes = 32;

    [Fact]
    public async Task Scenario2_StreamAndConnectionLifecycle_MatchesTheReferenceByteForByte()
    {
        var sent = SessionTestKit.Sent("2");
        var injected = SessionTestKit.Injected("2");
        Assert.Equal(12, sent.Count);
        Assert.Equal(6, injected.Count);
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), injected[0].Hex);

        // Client A: STREAM_START on accept (before any data), then its DATA; injected DATA reaches it.
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);
        await service.SendFramesAsync(injected[1].Hex);
        Assert.Equal("world", System.Text.Encoding.ASCII.GetString(await a.ReadExactlyAsync(5)));

        // Client B while A is open: CONNECTION_START sid1 cid2.
        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);
        await b.SendAsync(SessionTestKit.Ascii("HELLO"));
        await SessionTestKit.ExpectAsync(service, sent[3]);
        await service.SendFramesAsync(injected[2].Hex);
        Assert.Equal("WORLD", System.Text.Encoding.ASCII.GetString(await b.ReadExactlyAsync(5)));

        // A closes: CONNECTION_RESET cid1.
        await a.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[4]);

        // Injected STREAM_RESET sid1: B is closed, nothing is sent back.
        await service.SendFramesAsync(injected[3].Hex);
        Assert.True(await b.IsClosedByPeerAsync(TestTimeouts.Short), "client B was not closed by the STREAM_RESET");
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);

        // C: a new stream, sid2, and connection ids keep counting (cid3).
        await using var c = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[5]);
        await c.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[6]);

        // D: CONNECTION_START sid2 cid4 and its DATA.
        await using var d = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[7]);
        await d.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[8]);

        // Injected CONNECTION_RESET cid4 is echoed byte for byte and D is closed.
        await service.SendFramesAsync(injected[4].Hex);
        await SessionTestKit.ExpectAsync(service, sent[9]);
        Assert.Equal(injected[4].Hex, sent[9].Hex);
        Assert.True(await d.IsClosedByPeerAsync(TestTimeouts.Short), "client D was not closed by the CONNECTION_RESET");

        // A CONNECTION_RESET for an unknown (stale) id is ignored: the next frame is C's DATA.
        await service.SendFramesAsync(injected[5].Hex);
        await c.SendAsync(SessionTestKit.Ascii("again"));
        await SessionTestKit.ExpectAsync(service, sent[10]);

        // Closing the last connection sends CONNECTION_RESET, not STREAM_RESET.
        await c.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[11]);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.True(service.MessagesEachHeldOneFrame, "a WebSocket message from the engine held more or less than one tunnel frame");
        Assert.Equal(SessionState.Connected, kit.Snapshot.State);
    }

    [Theory]
    [InlineData("3a")]
    [InlineData("3b")]
    public async Task Scenario3_UnnamedSourcePort_MatchesTheReference(string scenario)
    {
        // 3a: SERVICE_IDS [] -> no serviceId field at all, connectionId present; 3b: SERVICE_IDS [SSH1] -> named SSH1.
        var sent = SessionTestKit.Sent(scenario);
        var injected = SessionTestKit.Injected(scenario);
        Assert.Equal(6, sent.Count);
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"{port}"), injected[0].Hex);

        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);

        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);
        await b.SendAsync(SessionTestKit.Ascii("HELLO"));
        await SessionTestKit.ExpectAsync(service, sent[3]);

        await a.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[4]);
        await SessionTestKit.AssertNoBytesAsync(b);
        await b.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[5]);
    }

    [Fact]
    public async Task Scenario3c_NamedPortButNoServiceIds_FailsAndNeverListens()
    {
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), serviceIds: null);
        await service.SendFramesAsync(SessionTestKit.Injected("3c")[0].Hex);

        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        Assert.Contains("SSH1", failed.StateReason, StringComparison.Ordinal);
        Assert.Contains("do not match", failed.StateReason, StringComparison.Ordinal);
        await SessionTestKit.AssertRefusedAsync(port);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
        Assert.Equal(1, kit.Fake.AcceptedCount);
    }

    [Theory]
    [InlineData("4a", true, MessageFormat.V2)]
    [InlineData("4b", false, MessageFormat.V1)]
    [InlineData("4c", true, MessageFormat.V1)]
    public async Task Scenario4_V2AndV1Formats_SecondClientStartsAndResetsAStream_BothClosed(string scenario, bool named, MessageFormat format)
    {
        var sent = SessionTestKit.Sent(scenario);
        var injected = SessionTestKit.Injected(scenario);
        Assert.Equal(4, sent.Count);
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source(named ? $"SSH1={port}" : $"{port}", format), injected[0].Hex);

        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);

        // The peer answers in the same format (V2: serviceId, no connectionId; V1: neither): delivered to A.
        string? peerServiceId = format == MessageFormat.V2 ? "SSH1" : null;
        await service.SendFramesAsync(FrameWriter.ToArray(TunnelMessages.Data(1, peerServiceId, 0, SessionTestKit.Ascii("world"))));
        Assert.Equal("world", System.Text.Encoding.ASCII.GetString(await a.ReadExactlyAsync(5)));

        // A second simultaneous client: STREAM_START sid2 then at once STREAM_RESET sid2; both clients closed.
        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);
        await SessionTestKit.ExpectAsync(service, sent[3]);
        Assert.True(await a.IsClosedByPeerAsync(TestTimeouts.Short), "client A is still open");
        Assert.True(await b.IsClosedByPeerAsync(TestTimeouts.Short), "client B is still open");
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.Equal(SessionState.Connected, kit.Snapshot.State);
    }

    [Fact]
    public async Task V3Source_DataWithoutConnectionIdFromThePeer_SwitchesToTheV2Format()
    {
        // docs/protocol.md section 9: a proxy switches itself to the V2 format the first time it receives DATA with
        // connectionId 0. Its frames then look like 4a's (serviceId, no connectionId) and a local close is a STREAM_RESET.
        var sent4a = SessionTestKit.Sent("4a");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("2")[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, SessionTestKit.Sent("2")[0]);

        await service.SendFramesAsync(FrameWriter.ToArray(TunnelMessages.Data(1, "SSH1", 0, SessionTestKit.Ascii("world"))));
        Assert.Equal("world", System.Text.Encoding.ASCII.GetString(await a.ReadExactlyAsync(5)));
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent4a[1]);
        Assert.Equal(MessageFormat.V2, kit.Snapshot.MessageFormat);

        await a.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, FrameWriter.ToArray(TunnelMessages.StreamReset(1, "SSH1")), "STREAM_RESET sid1 SSH1");
    }

    [Fact]
    public async Task Scenario5_TwoServices_CountStreamAndConnectionIdsPerService()
    {
        var sent = SessionTestKit.Sent("5");
        var injected = SessionTestKit.Injected("5");
        Assert.Equal(9, sent.Count);
        int ssh = Tcp.FreePort();
        int web = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={ssh},WEB={web}"), injected[0].Hex);

        await using var a = await TcpTestClient.ConnectAsync(ssh);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);

        await using var b = await TcpTestClient.ConnectAsync(web);
        await SessionTestKit.ExpectAsync(service, sent[2]);
        await b.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[3]);

        await using var c = await TcpTestClient.ConnectAsync(web);
        await SessionTestKit.ExpectAsync(service, sent[4]);
        await c.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[5]);

        // DATA for WEB cid1 reaches only client B.
        await service.SendFramesAsync(injected[1].Hex);
        Assert.Equal("web1", System.Text.Encoding.ASCII.GetString(await b.ReadExactlyAsync(4)));
        await SessionTestKit.AssertNoBytesAsync(a);

        await b.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[6]);
        await a.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[7]);
        await c.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[8]);
    }

    [Fact]
    public async Task Scenario9_LargeWrite_IsSentAsDataOfAtMost64512Bytes_OneFramePerMessage()
    {
        const int Total = 200_000;
        var sent = SessionTestKit.Sent("9");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("9")[0].Hex);

        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);

        var data = new byte[Total];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        await a.SendAsync(data);
        var fullFrame = sent.First(f => f.PayloadLength == TunnelMessages.MaxPayloadSize);
        var received = new MemoryStream();
        int frames = 0;
        while (received.Length < Total)
        {
            var frame = await service.NextTunnelFrameAsync();
            frames++;
            var message = SessionTestKit.Decode(frame);
            Assert.Equal(Message.Types.Type.Data, message.Type);
            Assert.InRange(message.Payload.Length, 1, TunnelMessages.MaxPayloadSize);
            var payload = message.Payload.ToByteArray();
            Assert.Equal(FrameWriter.ToArray(TunnelMessages.Data(1, "SSH1", 1, payload)), frame);
            if (payload.Length == TunnelMessages.MaxPayloadSize)
            {
                // Same length, header and tail bytes as the reference's 64512-byte frames; the first one also starts
                // with the same payload bytes (byte i = i mod 256).
                int header = received.Length == 0 ? fullFrame.Hex.Length : fullFrame.Hex.Length - VisiblePayloadBytes;
                Assert.Equal(fullFrame.FrameLength, frame.Length);
                Assert.Equal(fullFrame.Hex[..header], frame[..header]);
                Assert.Equal(fullFrame.Tail, frame[^fullFrame.Tail!.Length..]);
            }

            received.Write(payload);
        }

        Assert.Equal(Total, received.Length);
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()), "the DATA payloads do not concatenate to the bytes written");
        Assert.True(frames >= 4, $"{Total} bytes in {frames} DATA frames");
        Assert.True(service.MessagesEachHeldOneFrame, "a WebSocket message from the engine held more or less than one tunnel frame");
        Assert.False(service.HasProtocolViolation, string.Join("; ", service.ProtocolViolations));

        await a.DisposeAsync();
        await SessionTestKit.ExpectAsync(service, sent[^1]);
    }

    [Fact]
    public async Task Scenario11a_LateServiceIds_PortRefusedBefore_WorksAfter()
    {
        var sent = SessionTestKit.Sent("11a");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), serviceIds: null);

        await kit.WaitForAsync(s => s.State == SessionState.Connected, "Connected");
        await SessionTestKit.AssertRefusedAsync(port);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.NotNull(kit.Snapshot.StateReason);

        await service.SendFramesAsync(SessionTestKit.Injected("11a")[0].Hex);
        await kit.WaitReadyAsync();
        await using var a = await TcpTestClient.ConnectAsync(port);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await SessionTestKit.ExpectAsync(service, sent[1]);
    }
}
