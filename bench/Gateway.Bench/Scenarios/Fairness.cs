using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Bench.Infrastructure;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 9: an interactive connection beside a bulk one in the same tunnel. Connection A pushes
/// as fast as it can (bounded by <see cref="BenchOptions.FairSeconds"/> or 1 GiB), connection B
/// does 64-byte echo round trips meanwhile. Reported: B's added p50/p99/p99.9 over the direct
/// echo, A's throughput with B and alone. For our sessions with A and B on one service and on
/// two, and for the reference's two processes through our relay; then the same with the relay's
/// per-tunnel cap (<c>Relay:TunnelBandwidthLimit</c>) at AWS's 800 KB/s.
/// </summary>
internal static partial class Fairness
{
    public const long AwsTunnelCap = 800_000;

    /// <summary>limits.session_bytes_per_second_to_tunnel of the shaped run: 95% of the relay's cap.</summary>
    public const int SessionShape = 760_000;

    private const long MaxBulkBytes = 1L << 30;

    public static async Task RunAsync(BenchContext context)
    {
        using var server = new DualServer();
        var direct = Latency.Measure(server.EchoPort, context.Options.Smoke ? 300 : 5000);
        await RunAllAsync(context, context.Gateway, server, direct, capped: false);
        if (context.Options.FairCapped)
        {
            await using var capped = await BenchGateway.StartAsync(new Dictionary<string, string?> { ["Relay:TunnelBandwidthLimit"] = AwsTunnelCap.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            await RunAllAsync(context, capped, server, direct, capped: true);
        }
    }

    private static async Task RunAllAsync(BenchContext context, BenchGateway gateway, DualServer server, double[] direct, bool capped)
    {
        string cap = capped ? ", relay cap 800 KB/s" : string.Empty;
        var same = await gateway.StartPairAsync([("svc", server.Port)], tls: true, context.Settings);
        try
        {
            await MeasureAsync(context, server, same.SourcePorts[0], same.SourcePorts[0], direct, BenchContext.InProcess, "ours, one service" + cap);
        }
        finally
        {
            await gateway.StopPairAsync(same);
        }

        var two = await gateway.StartPairAsync([("bulk", server.Port), ("echo", server.Port)], tls: true, context.Settings);
        try
        {
            await MeasureAsync(context, server, two.SourcePorts[0], two.SourcePorts[1], direct, BenchContext.InProcess, "ours, two services" + cap);
        }
        finally
        {
            await gateway.StopPairAsync(two);
        }

        if (capped)
        {
            // The sessions shaping themselves just under the relay's cap: the queue then stays in
            // the session's fair scheduler, and capped frames are small (20 ms of the cap).
            var shaped = context.Settings with { SessionBandwidthToTunnel = SessionShape };
            var pair = await gateway.StartPairAsync([("bulk", server.Port), ("echo", server.Port)], tls: true, shaped);
            try
            {
                await MeasureAsync(context, server, pair.SourcePorts[0], pair.SourcePorts[1], direct, BenchContext.InProcess, $"ours, two services, session cap {SessionShape / 1000} KB/s" + cap);
            }
            finally
            {
                await gateway.StopPairAsync(pair);
            }
        }

        if (context.Options.Processes)
        {
            await ReferenceAsync(context, gateway, server, direct, cap);
        }
    }

    private static async Task ReferenceAsync(BenchContext context, BenchGateway gateway, DualServer server, double[] direct, string cap)
    {
        try
        {
            await ReferenceRunAsync(context, gateway, server, direct, cap);
        }
        catch (TimeoutException ex)
        {
            // A reference process that stops answering (its known stalls under a sustained stream) is a result too.
            context.Table.Add(new ResultRow(9, BenchContext.Processes, "reference, two services" + cap, 0, "MB/s", $"timed out: {ex.Message}"));
        }
    }

    private static async Task ReferenceRunAsync(BenchContext context, BenchGateway gateway, DualServer server, double[] direct, string cap)
    {
        var tunnel = await gateway.CreateTunnelAsync("bulk", "echo");
        int bulkPort = BenchGateway.FreePort();
        int echoPort = BenchGateway.FreePort();
        var common = new[] { "-e", $"127.0.0.1:{gateway.HttpsPort}", "-c", gateway.CaDirectory, "-v", "4" };
        await using var destination = new ChildProcess(Paths.ReferenceProxy,
            ["-d", $"bulk=127.0.0.1:{server.Port},echo=127.0.0.1:{server.Port}", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await using var source = new ChildProcess(Paths.ReferenceProxy,
            ["-s", $"bulk={bulkPort},echo={echoPort}", "-b", "127.0.0.1", .. common],
            new Dictionary<string, string> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
        await destination.WaitForLineAsync(Connected(), TimeSpan.FromSeconds(60));
        await source.WaitForLineAsync(new Regex($"Listening for new connection on port {echoPort}\\b"), TimeSpan.FromSeconds(60));
        try
        {
            await MeasureAsync(context, server, bulkPort, echoPort, direct, BenchContext.Processes, "reference, two services" + cap, exact: false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or BenchFailureException)
        {
            // The reference dies now and then under a sustained stream (docs/protocol.md 17): that is a result too.
            var died = source.HasExited ? "source" : destination.HasExited ? "destination" : throw new BenchFailureException($"the reference chain failed ({ex.Message}) and no reference process exited");
            context.Table.Add(new ResultRow(9, BenchContext.Processes, "reference, two services" + cap, 0, "MB/s", $"the reference {died} exited during the run"));
        }
        finally
        {
            await gateway.Relay.CloseAsync(tunnel.Tunnel.Id, CancellationToken.None);
        }
    }

    /// <param name="exact">Ours: every bulk byte must arrive. The reference: what it delivers is reported (it loses a stream's tail now and then).</param>
    private static async Task MeasureAsync(BenchContext context, DualServer server, int bulkPort, int echoPort, double[] direct, string configuration, string label, bool exact = true)
    {
        var duration = TimeSpan.FromSeconds(context.Options.FairSeconds);
        var alone = await BulkAsync(server, bulkPort, duration, exact, context.Cancellation);
        using var echo = new EchoClient(echoPort);
        var bulk = BulkAsync(server, bulkPort, duration, exact, context.Cancellation);
        var (samples, _) = await echo.RunWhileAsync(bulk);
        var together = await bulk;
        BenchContext.Require(samples.Length >= 1, $"{label}: only {samples.Length} echo round trips completed while the bulk connection ran");
        foreach (var p in new[] { 50.0, 99.0, 99.9 })
        {
            double added = Percentiles.Of(samples, p) - Percentiles.Of(direct, p);
            context.Table.Add(new ResultRow(9, configuration, $"{label}: B's added p{p:0.#}", added, "us", $"{samples.Length} round trips of 64 bytes while A pushed"));
        }

        context.Table.Add(new ResultRow(9, configuration, $"{label}: A's throughput beside B", together.MBps, "MB/s", $"{100 * together.MBps / alone.MBps:0}% of A alone ({alone.MBps:0.###} MB/s, {alone.Bytes >> 20} MiB in {alone.Seconds:0.0} s)"));
    }

    /// <summary>Pushes until <paramref name="duration"/> or 1 GiB, then FIN; the rate is measured at the receiving end.</summary>
    private static async Task<BulkResult> BulkAsync(DualServer server, int port, TimeSpan duration, bool exact, CancellationToken cancellationToken)
    {
        var received = server.NextBulk();
        long sent = await SendBulkAsync(port, duration, cancellationToken);

        // What is queued along the path still arrives; bounded by the same duration again (the cap).
        var result = await received.WaitAsync(duration + duration + TimeSpan.FromSeconds(30), cancellationToken);
        BenchContext.Require(result.Bytes == sent + 1 || !exact, $"the bulk receiver got {result.Bytes} of {sent + 1} bytes");
        return result;
    }

    /// <summary>A bulk connection to <see cref="DualServer"/>: its mark, then pattern bytes until <paramref name="duration"/> or 1 GiB, then FIN. Returns the pattern bytes sent.</summary>
    internal static async Task<long> SendBulkAsync(int port, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var client = await Loopback.ConnectAsync(port, cancellationToken);
        await client.SendAsync(new[] { DualServer.BulkMark }, SocketFlags.None, cancellationToken);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        const int Chunk = 64 * 1024;
        while (clock.Elapsed < duration && sent < MaxBulkBytes)
        {
            await client.SendAsync(Pattern.At(sent, 0, Chunk), SocketFlags.None, cancellationToken);
            sent += Chunk;
        }

        client.Shutdown(SocketShutdown.Send);
        return sent;
    }

    [GeneratedRegex(@"Successfully established websocket connection")]
    private static partial Regex Connected();

    internal readonly record struct BulkResult(long Bytes, double Seconds)
    {
        public double MBps => Bytes / Seconds / 1e6;
    }

    /// <summary>Blocking 64-byte round trips on a dedicated thread until told to stop.</summary>
    private sealed class EchoClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000, SendTimeout = 30_000 };
        private readonly byte[] _message = Pattern.At(0, 7, Latency.MessageSize).ToArray();
        private readonly byte[] _reply = new byte[Latency.MessageSize];

        public EchoClient(int port)
        {
            _socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            _socket.Send([DualServer.EchoMark]);
            for (int i = 0; i < 200; i++)
            {
                RoundTrip();
            }
        }

        public async Task<(double[] Samples, int Count)> RunWhileAsync(Task running)
        {
            var samples = new List<double>(100_000);
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    while (!running.IsCompleted)
                    {
                        samples.Add(RoundTrip());
                    }
                }
                catch (Exception ex) when (ex is SocketException or BenchFailureException)
                {
                    failure = ex;
                }
            })
            { IsBackground = true, Name = "fair-echo" };
            thread.Start();
            await running.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!thread.Join(TimeSpan.FromSeconds(40)))
            {
                throw new BenchFailureException("an echo round trip took more than 40 s");
            }

            if (failure is not null)
            {
                throw new BenchFailureException("echo beside the bulk connection: " + failure.Message);
            }

            var sorted = samples.ToArray();
            Array.Sort(sorted);
            return (sorted, sorted.Length);
        }

        private double RoundTrip()
        {
            long start = Stopwatch.GetTimestamp();
            _socket.Send(_message);
            int got = 0;
            while (got < _reply.Length)
            {
                int n = _socket.Receive(_reply, got, _reply.Length - got, SocketFlags.None);
                BenchContext.Require(n > 0, "the echo connection closed");
                got += n;
            }

            double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            BenchContext.Require(_reply.AsSpan().SequenceEqual(_message), "the echo reply differs from the request");
            return us;
        }

        public void Dispose() => _socket.Dispose();
    }

    /// <summary>
    /// The far end of both connections on one port (so "one service" needs one address): the
    /// first byte says what a connection is, a bulk sink that counts or a blocking echo.
    /// </summary>
    internal sealed class DualServer : IDisposable
    {
        public const byte BulkMark = (byte)'B';
        public const byte EchoMark = (byte)'E';

        private readonly Socket _listener = Loopback.Listen();
        private readonly Socket _echoListener = Loopback.Listen();
        private readonly Lock _gate = new();
        private readonly Queue<TaskCompletionSource<BulkResult>> _bulk = new();

        public DualServer()
        {
            new Thread(() => AcceptLoop(_listener)) { IsBackground = true, Name = "dual-accept" }.Start();
            new Thread(() => AcceptLoop(_echoListener)) { IsBackground = true, Name = "echo-accept" }.Start();
        }

        public int Port => Loopback.Port(_listener);

        /// <summary>The same echo reached directly, without a mark byte: the baseline.</summary>
        public int EchoPort => Loopback.Port(_echoListener);

        /// <summary>The result of the next bulk connection to arrive.</summary>
        public Task<BulkResult> NextBulk()
        {
            var done = new TaskCompletionSource<BulkResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _bulk.Enqueue(done);
            }

            return done.Task;
        }

        private void AcceptLoop(Socket listener)
        {
            try
            {
                while (true)
                {
                    var connection = listener.Accept();
                    connection.NoDelay = true;
                    bool direct = listener == _echoListener;
                    new Thread(() => Serve(connection, direct)) { IsBackground = true, Name = "dual" }.Start();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        private void Serve(Socket connection, bool directEcho)
        {
            var buffer = new byte[256 * 1024];
            try
            {
                if (directEcho)
                {
                    Echo(connection, buffer, 0);
                    return;
                }

                int n = connection.Receive(buffer);
                if (n <= 0)
                {
                    return;
                }

                if (buffer[0] == BulkMark)
                {
                    TaskCompletionSource<BulkResult>? done;
                    lock (_gate)
                    {
                        _bulk.TryDequeue(out done);
                    }

                    long total = n;
                    long start = Stopwatch.GetTimestamp();
                    while ((n = connection.Receive(buffer)) > 0)
                    {
                        total += n;
                    }

                    done?.TrySetResult(new BulkResult(total, Stopwatch.GetElapsedTime(start).TotalSeconds));
                    connection.Shutdown(SocketShutdown.Send);
                }
                else
                {
                    Echo(connection, buffer, n);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                connection.Dispose();
            }
        }

        private static void Echo(Socket connection, byte[] buffer, int first)
        {
            // The mark is not echoed; what came with it is.
            if (first > 1)
            {
                connection.Send(buffer.AsSpan(1, first - 1));
            }

            int n;
            while ((n = connection.Receive(buffer)) > 0)
            {
                connection.Send(buffer.AsSpan(0, n));
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _echoListener.Dispose();
        }
    }
}
