using System.Net.WebSockets;
using System.Text;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;

namespace Gateway.Api.Tests.Relay;

/// <summary>What a peer sends (service ids, close reasons) reaches the relay's log escaped, and a refusal quoting it still fits a close frame (issue 14).</summary>
public sealed class RelayLogEscapingTests
{
    private const string Forged = "EVIL\r\nINFO forged line\u001b[2J\0";
    private const string ForgedEscaped = "EVIL\\x0D\\x0AINFO forged line\\x1B[2J\\x00";

    [Fact]
    public async Task ForeignServiceIdWithControlCharactersIsLoggedEscaped()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        await source.SendAsync(TunnelMessages.StreamStart(1, Forged, 1));
        var (status, reason) = await source.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Contains(ForgedEscaped, reason, StringComparison.Ordinal);

        AssertLoggedEscaped(gateway, 1101);
    }

    [Fact]
    public async Task CloseReasonWithControlCharactersIsLoggedEscaped()
    {
        // The peer's close is logged at Debug.
        await using var gateway = await TestGateway.StartAsync(settings: new Dictionary<string, string?> { ["Logging:LogLevel:Gateway.Engine.Relay"] = "Debug" });
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var destinationOwner = destination;

        using (var cts = new CancellationTokenSource(TestGateway.Timeout))
        {
            await source.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, Forged, cts.Token);
        }

        await source.DisposeAsync();
        await WaitForLineAsync(gateway, 1103);
        AssertLoggedEscaped(gateway, 1103);
    }

    [Fact]
    public async Task RefusalQuotingAServiceIdInAnotherScriptStillFitsTheCloseFrame()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        // 60 characters of three UTF-8 bytes each: quoted in full the reason would exceed 123 bytes.
        await source.SendAsync(TunnelMessages.StreamStart(1, new string('日', 60), 1));
        var (status, reason) = await source.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.StartsWith("serviceId '日日日", reason, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(reason!) <= 123, $"close reason of {Encoding.UTF8.GetByteCount(reason!)} bytes");
        gateway.Logs.AssertNoErrors();
    }

    private static void AssertLoggedEscaped(TestGateway gateway, int eventId)
    {
        var lines = gateway.Logs.Lines.Where(l => l.EventId == eventId).ToList();
        Assert.Contains(lines, l => l.Message.Contains(ForgedEscaped, StringComparison.Ordinal));
        foreach (var line in gateway.Logs.Lines.Where(l => l.Category.StartsWith("Gateway.Engine", StringComparison.Ordinal)))
        {
            Assert.False(line.Message.Any(char.IsControl), $"a relay log line carries a raw control character: {line.Message.Replace("\u001b", "<ESC>", StringComparison.Ordinal)}");
        }
    }

    private static async Task WaitForLineAsync(TestGateway gateway, int eventId)
    {
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (!gateway.Logs.Lines.Any(l => l.EventId == eventId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no log line with event id {eventId}:\n" + string.Join("\n", gateway.Logs.Lines.Where(l => l.Category.StartsWith("Gateway.Engine", StringComparison.Ordinal))));
            await Task.Delay(TimeSpan.FromMilliseconds(20)); // poll interval of a bounded wait
        }
    }
}
