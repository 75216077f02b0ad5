using System.Net;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Api.Tests.Relay;

/// <summary>A flood of refused handshakes from one address gives a few log lines and one summary, not a line each (issue 14).</summary>
public sealed class RelayRejectionLogTests
{
    private const int HandshakeRejected = 1002;
    private const int RejectionsSuppressed = 1150;

    [Fact]
    public async Task FloodOfRefusedHandshakesLogsFiveLinesThenOneSummaryWithTheCount()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time);
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        // A bounded flood: a wrong token, then the right token in the wrong mode.
        const int Flood = 30;
        for (int i = 0; i < Flood; i++)
        {
            var status = i % 2 == 0
                ? await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", "not-a-token-" + i)
                : await RelayForwardingSupport.ConnectRefusedAsync(gateway, "destination", tunnel.SourceAccessToken);
            Assert.Equal(i % 2 == 0 ? HttpStatusCode.Unauthorized : HttpStatusCode.BadRequest, status);
        }

        Assert.Equal(5, Lines(gateway, HandshakeRejected).Count);
        Assert.All(Lines(gateway, HandshakeRejected), line => Assert.Contains("127.0.0.1", line, StringComparison.Ordinal));
        Assert.Empty(Lines(gateway, RejectionsSuppressed));

        // The window ends: one summary naming the address and the count left out.
        time.Advance(TimeSpan.FromMinutes(1));
        var summary = Assert.Single(Lines(gateway, RejectionsSuppressed));
        Assert.Contains($"{Flood - 5} more rejected handshake(s) from 127.0.0.1", summary, StringComparison.Ordinal);

        // The next window logs again.
        await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", "not-a-token");
        Assert.Equal(6, Lines(gateway, HandshakeRejected).Count);
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
    }

    private static List<string> Lines(TestGateway gateway, int eventId) =>
        [.. gateway.Logs.Lines.Where(l => l.EventId == eventId).Select(l => l.Message)];
}
