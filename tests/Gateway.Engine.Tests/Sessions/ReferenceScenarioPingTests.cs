using Gateway.Engine.Tests.Infrastructure;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// Scenario 8 (docs/protocol.md sections 4 and 18): the first ping right after the upgrade, then one per
/// <c>websocket.ping_period_ms</c>, each carrying the Unix time in milliseconds as 13 ASCII digits; a ping from the
/// service is answered with a pong echoing its payload (the reference sends two; one or more is fine).
/// </summary>
public sealed class ReferenceScenarioPingTests
{
    private const int PingPeriodMs = 200;

    [Fact]
    public async Task Scenario8_PingsFollowThePeriodWithEpochMillisPayloads()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        var settings = SessionTestKit.FastSettings with { PingPeriodMs = PingPeriodMs };
        var connection = await kit.ConnectAsync(kit.Source($"SSH1={Tcp.FreePort()}", settings: settings), SessionTestKit.Injected("8")[0].Hex);

        var pings = new List<WsEvent>();
        for (int i = 0; i < 3; i++)
        {
            pings.Add(await connection.NextPingAsync(TestTimeouts.Short));
        }

        var stamps = pings.Select(p => long.Parse(p.PayloadText, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var ping in pings)
        {
            ReferenceScenarioHandshakeTests.AssertEpochMillis(ping.Payload);
        }

        for (int i = 1; i < stamps.Count; i++)
        {
            // The period is measured from the previous ping; allow timer granularity, not an early ping.
            long gap = stamps[i] - stamps[i - 1];
            Assert.InRange(gap, PingPeriodMs - 20, PingPeriodMs + 1500);
        }

        // The fake echoes each ping; the engine measures the round trip from the payload.
        var connected = await kit.WaitForAsync(s => s.RttMs is not null, "showing a round-trip time");
        Assert.InRange(connected.RttMs!.Value, 0, 5_000);
        Assert.False(connection.HasProtocolViolation, string.Join("; ", connection.ProtocolViolations));
    }

    [Fact]
    public async Task Scenario8_ServicePingsAreAnsweredWithPongsEchoingThePayload()
    {
        await using var kit = await SessionTestKit.CreateAsync();
        var connection = await kit.ConnectAsync(kit.Source($"SSH1={Tcp.FreePort()}"), SessionTestKit.Injected("8")[0].Hex);

        var relayPing = SessionTestKit.Ascii("relay-ping-1");
        await connection.SendPingAsync(relayPing);
        var pong = await connection.NextEventAsync(e => e.Kind == WsEventKind.Pong, TestTimeouts.Short);
        Assert.Equal(relayPing, pong.Payload);

        await connection.SendPingAsync(Array.Empty<byte>());
        pong = await connection.NextEventAsync(e => e.Kind == WsEventKind.Pong && e.Payload.Length == 0, TestTimeouts.Short);
        Assert.Empty(pong.Payload);

        Assert.Equal(Gateway.Engine.Sessions.SessionState.Connected, kit.Snapshot.State);
    }
}
