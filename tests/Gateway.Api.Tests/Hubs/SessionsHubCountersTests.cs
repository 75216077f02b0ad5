using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hubs;

/// <summary>Counters reach clients in coalesced batches, at most one per 250 ms, the last holding the final values.</summary>
public sealed class SessionsHubCountersTests
{
    [Fact]
    public async Task CountersOfABusySessionAreCoalescedToFourBatchesASecond()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var (sourceId, _, port) = await gateway.StartPairAsync(echo.Port);
        await using var hub = await HubClient.ConnectAsync(gateway);
        using var tcp = await LocalClient.ConnectAsync(port);
        HubClient.Drain(hub.Counters.Reader);

        // Busy: round trips back to back until six batches about the session came (about 1.5 s),
        // bounded by an amount should batches never come.
        const long MaxBytes = 4L * 1024 * 1024 * 1024;
        var chunk = RandomNumberGenerator.GetBytes(32 * 1024);
        var batches = new List<CountersBatch>();
        long start = Stopwatch.GetTimestamp();
        long total = 0;
        int roundTrips = 0;
        while (batches.Count(b => Mentions(b, sourceId)) < 6)
        {
            Assert.True(total < MaxBytes, $"only {batches.Count(b => Mentions(b, sourceId))} counter batch(es) after {total} bytes");
            await tcp.EchoAsync(chunk);
            total += chunk.Length;
            roundTrips++;
            batches.AddRange(HubClient.Drain(hub.Counters.Reader));
        }

        // Quiet now: the last batch has the final values.
        var final = gateway.Sessions().Get(sourceId)!;
        Assert.Equal(total, final.BytesToTunnel);
        Assert.Equal(total, final.BytesFromTunnel);
        await HubClient.NextAsync(hub.Counters.Reader, b =>
        {
            batches.Add(b);
            return b.Batch.Any(c => c.Id == sourceId && c.BytesToTunnel == final.BytesToTunnel && c.BytesFromTunnel == final.BytesFromTunnel);
        }, "a counters batch with the final values");

        var mentioning = batches.Where(b => Mentions(b, sourceId)).ToList();
        var elapsed = Stopwatch.GetElapsedTime(start, mentioning[^1].ReceivedAt);
        Assert.True(
            mentioning.Count <= (elapsed / TimeSpan.FromMilliseconds(250)) + 2,
            $"{mentioning.Count} batches in {elapsed.TotalMilliseconds:0} ms ({roundTrips} round trips)");
        Assert.True(roundTrips > mentioning.Count, $"{roundTrips} round trips, {mentioning.Count} batches: not coalesced");

        // Coalesced: one entry per session per batch, the latest, so the bytes never go back.
        Assert.All(mentioning, b => Assert.Single(b.Batch, c => c.Id == sourceId));
        var sent = mentioning.Select(b => b.Batch.Single(c => c.Id == sourceId).BytesToTunnel).ToList();
        Assert.Equal(sent.Order(), sent);
        var last = mentioning[^1].Batch.Single(c => c.Id == sourceId);
        Assert.Equal((final.BytesToTunnel, final.BytesFromTunnel, 1), (last.BytesToTunnel, last.BytesFromTunnel, last.ActiveConnections));
        gateway.Logs.AssertNoErrors();
    }

    private static bool Mentions(CountersBatch batch, string sessionId) => batch.Batch.Any(c => c.Id == sessionId);
}
