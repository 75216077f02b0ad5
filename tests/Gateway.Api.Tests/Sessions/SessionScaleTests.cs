using System.Diagnostics;
using Gateway.Api.Relay;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Xunit.Abstractions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>Many sessions in one engine: 100 relay tunnels, 100 source and 100 destination sessions at once.</summary>
public sealed class SessionScaleTests(ITestOutputHelper output)
{
    private const int Pairs = 100;

    [Fact]
    public async Task TwoHundredSessionsConnectCarryDataAndStop()
    {
        var clock = Stopwatch.StartNew();
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var sessions = gateway.Sessions();

        var tunnels = new CreatedRelayTunnelResponse[Pairs];
        await Parallel.ForEachAsync(Enumerable.Range(0, Pairs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            tunnels[i] = await gateway.CreateTunnelAsync($"SVC{i}"));
        output.WriteLine($"{Pairs} relay tunnels created after {clock.ElapsedMilliseconds} ms");

        var destinations = new string[Pairs];
        var sources = new string[Pairs];
        var ports = new int[Pairs];
        Parallel.For(0, Pairs, i =>
        {
            destinations[i] = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnels[i].DestinationAccessToken, $"SVC{i}={echo.Port}")).Id;
            var (source, sourcePorts) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnels[i].SourceAccessToken, $"SVC{i}={p[0]}"));
            sources[i] = source.Id;
            ports[i] = sourcePorts[0];
        });
        output.WriteLine($"{2 * Pairs} sessions started after {clock.ElapsedMilliseconds} ms");

        var all = destinations.Concat(sources).ToList();
        IReadOnlyList<SessionSnapshot> ready;
        try
        {
            ready = await sessions.WaitAllAsync(all, SessionHarness.IsReady, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // Say what the relay did for the tunnels whose ends did not get ready.
            var stuck = all.Where(id => !SessionHarness.IsReady(sessions.Get(id)!)).ToHashSet();
            var tunnelIds = Enumerable.Range(0, Pairs).Where(i => stuck.Contains(destinations[i]) || stuck.Contains(sources[i])).Select(i => tunnels[i].TunnelId).ToList();
            foreach (var line in gateway.Logs.Lines.Where(l => tunnelIds.Any(t => l.Message.Contains(t, StringComparison.Ordinal))))
            {
                output.WriteLine(line.ToString());
            }

            throw;
        }

        Assert.Equal(2 * Pairs, ready.Count);
        Assert.All(ready, s => Assert.Equal(0, s.Reconnects));
        output.WriteLine($"all {2 * Pairs} sessions ready after {clock.ElapsedMilliseconds} ms");

        // A handful of pairs carry a few bytes each, at the same time.
        int[] sample = [0, 17, 42, 73, 99];
        await Task.WhenAll(sample.Select(async i =>
        {
            using var client = await LocalClient.ConnectAsync(ports[i]);
            await client.EchoRandomAsync(4096);
        }));
        Assert.Equal(sample.Length, echo.Accepted);

        var stopped = await Task.WhenAll(all.Select(id => sessions.StopAsync(id))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(stopped, s => Assert.Equal(SessionState.Stopped, s!.State));
        Assert.All(all, id => Assert.Equal(SessionState.Stopped, sessions.Get(id)!.State));
        output.WriteLine($"all stopped after {clock.ElapsedMilliseconds} ms");
        gateway.Logs.AssertNoErrors();
    }
}
