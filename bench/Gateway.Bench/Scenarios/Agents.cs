using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Api.Agents;
using Gateway.Api.Data;
using Gateway.Bench.Infrastructure;
using Gateway.Engine.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gateway.Bench.Scenarios;

/// <summary>
/// Figure 12, agents (docs/agents.md): N things in one gateway against one local mosquitto
/// (/usr/sbin/mosquitto), each agent subscribed to its notify topic. The RSS growth of this process
/// per agent once all are connected, the time until they are, and the latency from publishing a
/// notification (destination token of a relay tunnel) to the agent's destination session being
/// connected to the relay, for a sample of agents one after another and then for as many other agents
/// notified back to back (many things at once), with the default coalescing window (100 ms) included.
/// Only when named (<c>--only 12</c>).
/// </summary>
internal static class Agents
{
    private const string Mosquitto = "/usr/sbin/mosquitto";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);

    public static async Task RunAsync(BenchContext context)
    {
        int count = context.Options.Smoke ? 20 : 1000;
        int samples = context.Options.Smoke ? 10 : 100;
        BenchContext.Require(File.Exists(Mosquitto), $"mosquitto at {Mosquitto} (apt-get install mosquitto)");
        string directory = Directory.CreateTempSubdirectory("gateway-bench-mosquitto-").FullName;
        int port = BenchGateway.FreePort();
        string config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000\nuser {Environment.UserName}\n");
        await using var broker = new ChildProcess(Mosquitto, ["-c", config], new Dictionary<string, string>());
        await WaitListeningAsync(port);

        await using var gateway = await BenchGateway.StartAsync();
        var services = gateway.Services;
        var runtime = services.GetRequiredService<AgentRuntime>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = ProcessStats.OwnRssBytes();
        var clock = Stopwatch.StartNew();
        await using (var db = await services.GetRequiredService<IDbContextFactory<GatewayDbContext>>().CreateDbContextAsync())
        {
            var now = DateTimeOffset.UtcNow;
            for (int i = 0; i < count; i++)
            {
                db.Agents.Add(new AgentEntity
                {
                    Name = Name(i), ThingName = Thing(i), Host = "127.0.0.1", Port = port, UseTls = false,
                    Services = "bench=127.0.0.1:9", DataEndpoint = AgentRules.LocalDataEndpoint, CreatedAt = now, UpdatedAt = now,
                });
            }

            await db.SaveChangesAsync();
        }

        for (int i = 0; i < count; i++)
        {
            await runtime.ReloadAsync(Name(i), context.Cancellation);
        }

        var deadline = Stopwatch.StartNew();
        while (Enumerable.Range(0, count).Any(i => runtime.Status(Name(i)).State != "connected"))
        {
            BenchContext.Require(deadline.Elapsed < Bound, $"all {count} agents connected within {Bound.TotalSeconds} s");
            await Task.Delay(50, context.Cancellation);
        }

        double connectSeconds = clock.Elapsed.TotalSeconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = ProcessStats.OwnRssBytes();
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, $"RSS per agent, {count} agents connected to one mosquitto", (after - before) / 1024.0 / count, "KiB",
            $"this process's RSS growth ({(after - before) / 1048576.0:0.0} MiB) over {count}, after a full GC"));
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, $"time until {count} agents are connected and subscribed", connectSeconds, "s", "configured one after another, connecting in parallel"));

        var latencies = await LatenciesAsync(gateway, port, count, samples, context.Cancellation);
        Array.Sort(latencies);
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, "notification to destination connected, p50", Percentiles.Of(latencies, 50), "ms", $"{samples} notifications to agents spread over {count}, one after another; includes the 100 ms coalescing window"));
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, "notification to destination connected, p99", Percentiles.Of(latencies, 99), "ms", $"{samples} notifications"));

        var (burst, allSeconds) = await BurstAsync(gateway, port, count, samples, context.Cancellation);
        Array.Sort(burst);
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, $"{samples} things notified at once: notification to destination connected, p50", Percentiles.Of(burst, 50), "ms",
            $"{samples} other agents spread over {count}, published back to back; includes the 100 ms coalescing window"));
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, $"{samples} things notified at once: notification to destination connected, p99", Percentiles.Of(burst, 99), "ms", $"{samples} notifications"));
        context.Table.Add(new ResultRow(12, BenchContext.InProcess, $"{samples} things notified at once: until all are connected", allSeconds * 1000, "ms", "from the first publish to the last destination connected"));
        Directory.Delete(directory, recursive: true);
    }

    private static string Name(int i) => $"a-{i:0000}";

    private static string Thing(int i) => $"thing-{i:0000}";

    private static async Task<double[]> LatenciesAsync(BenchGateway gateway, int port, int count, int samples, CancellationToken cancellationToken)
    {
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-publisher").Build(), cancellationToken);
        var latencies = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            int i = s * (count / samples);
            string sessionName = $"{Thing(i)} (agent {Name(i)})";
            var tunnel = await gateway.CreateTunnelAsync("bench");
            var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged(SessionEvent e)
            {
                if (e.Session.Name == sessionName && e.Session.State == SessionState.Connected)
                {
                    connected.TrySetResult();
                }
            }

            gateway.Sessions.Changed += OnChanged;
            try
            {
                string payload = $"{{\"clientAccessToken\":\"{tunnel.DestinationAccessToken}\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"bench\"]}}";
                var clock = Stopwatch.StartNew();
                await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(AgentRules.NotifyTopic(Thing(i)))
                    .WithPayload(Encoding.UTF8.GetBytes(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
                await connected.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                latencies[s] = clock.Elapsed.TotalMilliseconds;
            }
            finally
            {
                gateway.Sessions.Changed -= OnChanged;
            }
        }

        return latencies;
    }

    /// <summary>
    /// Many things at once: <paramref name="burst"/> agents not sampled one by one (offset by half the
    /// sampling stride) get their notifications back to back; each latency runs from its own publish.
    /// </summary>
    private static async Task<(double[] Latencies, double AllSeconds)> BurstAsync(BenchGateway gateway, int port, int count, int burst, CancellationToken cancellationToken)
    {
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-burst").Build(), cancellationToken);
        int stride = count / burst;
        var agents = Enumerable.Range(0, burst).Select(s => s * stride + stride / 2).ToArray();
        var bySession = agents.Select((agent, index) => (agent, index)).ToDictionary(a => $"{Thing(a.agent)} (agent {Name(a.agent)})", a => a.index, StringComparer.Ordinal);
        var tunnels = new Gateway.Engine.Relay.CreatedTunnel[burst];
        for (int s = 0; s < burst; s++)
        {
            tunnels[s] = await gateway.CreateTunnelAsync("bench");
        }

        var published = new long[burst];
        var connectedAt = new long[burst];
        int remaining = burst;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(SessionEvent e)
        {
            if (e.Session.State == SessionState.Connected && bySession.TryGetValue(e.Session.Name ?? string.Empty, out int index)
                && Interlocked.CompareExchange(ref connectedAt[index], Stopwatch.GetTimestamp(), 0) == 0 && Interlocked.Decrement(ref remaining) == 0)
            {
                all.TrySetResult();
            }
        }

        gateway.Sessions.Changed += OnChanged;
        try
        {
            for (int s = 0; s < burst; s++)
            {
                string payload = $"{{\"clientAccessToken\":\"{tunnels[s].DestinationAccessToken}\",\"clientMode\":\"destination\",\"region\":\"us-east-1\",\"services\":[\"bench\"]}}";
                Volatile.Write(ref published[s], Stopwatch.GetTimestamp());
                await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(AgentRules.NotifyTopic(Thing(agents[s])))
                    .WithPayload(Encoding.UTF8.GetBytes(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
            }

            await all.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        finally
        {
            gateway.Sessions.Changed -= OnChanged;
        }

        var latencies = Enumerable.Range(0, burst).Select(s => Stopwatch.GetElapsedTime(published[s], connectedAt[s]).TotalMilliseconds).ToArray();
        return (latencies, Stopwatch.GetElapsedTime(published[0], connectedAt.Max()).TotalSeconds);
    }

    private static async Task WaitListeningAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(25);
            }
        }
    }
}
