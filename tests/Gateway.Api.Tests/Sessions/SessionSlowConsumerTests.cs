using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Xunit.Abstractions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>
/// docs/protocol.md section 17: a local client that does not read while the far side pushes 64 MB. The
/// source session pauses reading the tunnel (visible in its snapshot) and buffers a bounded amount;
/// when the client reads, every byte arrives intact.
/// </summary>
public sealed class SessionSlowConsumerTests(ITestOutputHelper output)
{
    private const int Total = 64 * 1024 * 1024;

    /// <summary>
    /// Allowed bytes past what the client has read: the connection pipe (tcp.write_buffer_size
    /// 131076) plus one frame, plus the kernel socket buffers of the local connection: the
    /// session's send buffer (loopback autotuning reaches tcp_wmem max, 4 MB here) and the client's
    /// receive buffer, fixed at <see cref="ClientReceiveBuffer"/> so that its autotuning (up to
    /// tcp_rmem max, 32 MB here) does not count as buffering in the session.
    /// </summary>
    private const long Bound = 8L * 1024 * 1024;

    /// <summary>
    /// Allowed bytes held by the engine itself (came from the tunnel, not yet written to the local
    /// socket): the connection pipe pauses at tcp.write_buffer_size (131076) and may hold one more
    /// DATA payload (64512) written before the pause.
    /// </summary>
    private const long EngineBound = 256 * 1024;

    /// <summary>SO_RCVBUF of the user's client (Linux doubles it).</summary>
    private const int ClientReceiveBuffer = 256 * 1024;

    /// <summary>How long the stalled state is watched for growth before the client starts reading.</summary>
    private static readonly TimeSpan StallWindow = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task NonReadingClientPausesTheTunnelWithBoundedBufferingAndGetsEveryByteLater()
    {
        await using var gateway = await TestGateway.StartAsync();
        var data = RandomNumberGenerator.GetBytes(Total);
        using var pusher = LocalServer.StartTcp(LocalServer.Pusher(data));
        var tunnel = await gateway.CreateTunnelAsync("BULK");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"BULK={pusher.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"BULK={p[0]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);

        using var client = new TcpClient(AddressFamily.InterNetwork) { ReceiveBufferSize = ClientReceiveBuffer };
        await client.ConnectAsync(System.Net.IPAddress.Loopback, ports[0]).WaitAsync(TestGateway.Timeout);
        try
        {
            // Not reading: the source must stop reading the tunnel.
            await sessions.WaitForAsync(source.Id, s => s.ReceivePaused, TimeSpan.FromSeconds(30));
            long stalledPeak = 0;
            long enginePeak = 0;
            var previous = sessions.Get(source.Id)!;
            var watchUntil = DateTime.UtcNow + StallWindow;
            while (DateTime.UtcNow < watchUntil)
            {
                var sample = sessions.Get(source.Id)!;
                stalledPeak = Math.Max(stalledPeak, sample.BytesFromTunnel);
                enginePeak = Math.Max(enginePeak, EngineHeld(previous, sample));
                previous = sample;
                await Task.Delay(TimeSpan.FromMilliseconds(20)); // sampling period of a fixed observation window
            }

            var stalled = sessions.Get(source.Id)!;
            output.WriteLine($"stalled: BytesFromTunnel peak {stalledPeak} bytes ({stalledPeak / 1048576.0:0.00} MB), of which in the engine (not yet written to the socket) {enginePeak}; ReceivePaused {stalled.ReceivePaused}");
            Assert.True(stalled.ReceivePaused, "the source resumed reading the tunnel although the client reads nothing");
            Assert.True(stalledPeak < Bound, $"{stalledPeak} bytes went to a client that read nothing (bound {Bound})");
            Assert.True(SessionHarness.IsReady(stalled), $"{stalled.State} ({stalled.StateReason})");

            // Now the client reads everything; buffering past what it has read stays bounded throughout.
            var received = new byte[Total];
            int read = 0;
            long peak = stalledPeak;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stream = client.GetStream();
            while (read < Total)
            {
                int n = await stream.ReadAsync(received.AsMemory(read, Math.Min(256 * 1024, Total - read)), cts.Token);
                Assert.True(n > 0, $"the connection ended after {read} of {Total} bytes");
                read += n;
                var sample = sessions.Get(source.Id)!;
                peak = Math.Max(peak, sample.BytesFromTunnel - read);
                enginePeak = Math.Max(enginePeak, EngineHeld(previous, sample));
                previous = sample;
            }

            output.WriteLine($"peak buffered beyond what the client read: {peak} bytes ({peak / 1048576.0:0.00} MB); peak held in the engine: {enginePeak} bytes");
            Assert.True(peak < Bound, $"peak {peak} bytes buffered beyond what the client read (bound {Bound})");
            Assert.True(enginePeak < EngineBound, $"peak {enginePeak} bytes held in the engine for one connection (bound {EngineBound})");
            Assert.True(data.AsSpan().SequenceEqual(received), "the 64 MB differ from what the app sent");

            // The app closed after its 64 MB: the client sees EOF with nothing extra.
            var (how, extra) = await client.WaitClosedAsync();
            Assert.Equal(0, extra);
            output.WriteLine($"then {how}");
            var final = sessions.Get(source.Id)!;
            Assert.Equal(Total, final.BytesFromTunnel);
            Assert.False(final.ReceivePaused);
            Assert.True(SessionHarness.IsReady(final));
            gateway.Logs.AssertNoErrors();
        }
        finally
        {
            // For diagnosis: what both ends said, and what the gateway logged at Warning and above.
            foreach (var (name, id) in new[] { ("source", source.Id), ("destination", destination.Id) })
            {
                foreach (var line in sessions.GetLog(id) ?? [])
                {
                    output.WriteLine($"{name} {line.At:HH:mm:ss.fff} {line.Level} {line.Message}");
                }
            }

            foreach (var line in gateway.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning))
            {
                output.WriteLine(line.ToString());
            }
        }
    }

    /// <summary>
    /// Bytes the session took from the tunnel but had not yet written to the local socket, as a
    /// lower bound that never over-counts: a snapshot reads the connections before the session's
    /// counter, so within one snapshot bytes dispatched meanwhile would count as held; instead the
    /// earlier snapshot's counter is set against the later snapshot's connection.
    /// </summary>
    private static long EngineHeld(SessionSnapshot earlier, SessionSnapshot later)
    {
        var connection = later.Services.SelectMany(s => s.Connections).SingleOrDefault();
        return connection is null ? 0 : Math.Max(0, earlier.BytesFromTunnel - connection.BytesToLocal);
    }
}
