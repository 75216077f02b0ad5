using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Operations;

public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsListTheGatewayInstrumentsInPrometheusForm()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var client = gateway.CreateClient();

        var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE tunnelgateway_sessions gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tunnelgateway_session_bytes_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tunnelgateway_session_active_connections gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tunnelgateway_session_reconnects_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tunnelgateway_relay_tunnels gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tunnelgateway_relay_bytes_total counter", text, StringComparison.Ordinal);
        var metrics = Parse(text);
        foreach (var state in new[] { "connecting", "connected", "reconnecting", "closed", "failed", "stopped" })
        {
            Assert.Equal(0, metrics.Value("tunnelgateway_sessions", ("state", state)));
        }

        Assert.Equal(0, metrics.Value("tunnelgateway_session_bytes_total", ("direction", "to_tunnel")));
        Assert.Equal(0, metrics.Value("tunnelgateway_relay_tunnels"));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task SessionsCarryingBytesThroughTheRelayShowInTheMetrics()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var destination = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gateway.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}"));
        await sessions.WaitAllAsync([destination.Id, source.Id], SessionHarness.IsReady);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ports[0]).WaitAsync(TestGateway.Timeout);
        var stream = tcp.GetStream();
        var sent = RandomNumberGenerator.GetBytes(64 * 1024);
        var received = new byte[sent.Length];
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        var reading = stream.ReadExactlyAsync(received, cts.Token).AsTask();
        await stream.WriteAsync(sent, cts.Token);
        await reading;

        using var client = gateway.CreateClient();
        var metrics = await ScrapeUntilAsync(gateway, client, m =>
            m.Value("tunnelgateway_session_bytes_total", ("direction", "to_tunnel")) >= 2 * sent.Length
            && m.Value("tunnelgateway_session_bytes_total", ("direction", "from_tunnel")) >= 2 * sent.Length
            && m.Value("tunnelgateway_session_active_connections") == 2);

        // Both ends count: the source reads from the client and the destination from the echo.
        Assert.Equal(2 * sent.Length, metrics.Value("tunnelgateway_session_bytes_total", ("direction", "to_tunnel")));
        Assert.Equal(2 * sent.Length, metrics.Value("tunnelgateway_session_bytes_total", ("direction", "from_tunnel")));
        Assert.Equal(2, metrics.Value("tunnelgateway_sessions", ("state", "connected")));
        Assert.Equal(1, metrics.Value("tunnelgateway_relay_tunnels"));
        Assert.True(metrics.Value("tunnelgateway_relay_bytes_total", ("direction", "source_to_destination")) >= sent.Length);
        Assert.True(metrics.Value("tunnelgateway_relay_bytes_total", ("direction", "destination_to_source")) >= sent.Length);

        // Counters keep what ended sessions carried, also once the manager forgets them.
        tcp.Dispose();
        await sessions.StopAsync(source.Id);
        await sessions.StopAsync(destination.Id);
        Assert.True(sessions.Remove(source.Id));
        Assert.True(sessions.Remove(destination.Id));
        Assert.Empty(sessions.List());
        metrics = await ScrapeUntilAsync(gateway, client, m =>
            m.Value("tunnelgateway_sessions", ("state", "connected")) == 0 && m.Value("tunnelgateway_session_active_connections") == 0);
        Assert.Equal(0, metrics.Value("tunnelgateway_sessions", ("state", "stopped")));
        Assert.Equal(2 * sent.Length, metrics.Value("tunnelgateway_session_bytes_total", ("direction", "to_tunnel")));
        Assert.Equal(2 * sent.Length, metrics.Value("tunnelgateway_session_bytes_total", ("direction", "from_tunnel")));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ARelayRejectionCountsAHandshakeFailureWithItsStatus()
    {
        await using var gateway = await TestGateway.StartAsync();
        var sessions = gateway.Sessions();
        var session = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, "this-token-belongs-to-no-tunnel", "SSH=22"));
        var failed = await sessions.WaitForAsync(session.Id, s => s.State is SessionState.Failed or SessionState.Closed or SessionState.Stopped);
        Assert.Equal(SessionFailure.HandshakeRejected, failed.Failure);
        Assert.Equal(401, failed.HandshakeStatus);

        using var client = gateway.CreateClient();
        var metrics = await ScrapeUntilAsync(gateway, client, m => m.Value("tunnelgateway_handshake_failures_total", ("status", "401")) > 0);

        Assert.Equal(1, metrics.Value("tunnelgateway_handshake_failures_total", ("status", "401")));
        Assert.Equal(1, metrics.Value("tunnelgateway_sessions", ("state", "failed")));
        Assert.Equal(0, metrics.Value("tunnelgateway_session_reconnects_total"));
    }

    [Fact]
    public async Task TwoGatewaysInOneProcessReportOnlyTheirOwnSessions()
    {
        await using var first = await TestGateway.StartAsync();
        await using var second = await TestGateway.StartAsync();
        var session = first.Sessions().StartOrThrow(first.Spec(SessionMode.Destination, "this-token-belongs-to-no-tunnel", "SSH=22"));
        await first.Sessions().WaitForAsync(session.Id, s => s.State == SessionState.Failed);

        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        await ScrapeUntilAsync(first, firstClient, m => m.Value("tunnelgateway_sessions", ("state", "failed")) == 1);
        var metrics = Parse(await secondClient.GetStringAsync("/metrics"));

        Assert.Equal(0, metrics.Value("tunnelgateway_sessions", ("state", "failed")));
        Assert.Null(metrics.Find("tunnelgateway_handshake_failures_total", ("status", "401")));
    }

    /// <summary>
    /// Scrapes until <paramref name="condition"/> holds; between scrapes waits for the next session
    /// event (counters are published at most every 250 ms) or a short while, bounded overall.
    /// </summary>
    private static async Task<PrometheusText> ScrapeUntilAsync(TestGateway gateway, HttpClient client, Func<PrometheusText, bool> condition)
    {
        var sessions = gateway.Sessions();
        using var signal = new SemaphoreSlim(0);
        void OnChanged(SessionEvent change) => signal.Release();
        sessions.Changed += OnChanged;
        try
        {
            using var cts = new CancellationTokenSource(TestGateway.Timeout);
            while (true)
            {
                var metrics = Parse(await client.GetStringAsync("/metrics", cts.Token));
                if (condition(metrics))
                {
                    return metrics;
                }

                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(250), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException("the metrics did not reach the expected values; last scrape:\n" + metrics.Text);
                }
            }
        }
        finally
        {
            sessions.Changed -= OnChanged;
        }
    }

    private static PrometheusText Parse(string text) => new(text);

    /// <summary>Samples of the Prometheus text format: <c>name{label="value",...} number [timestamp]</c>.</summary>
    private sealed class PrometheusText(string text)
    {
        private readonly List<(string Name, string Labels, double Value)> _samples = [.. text.Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(ParseLine)];

        public string Text => text;

        public double? Find(string name, params (string Key, string Value)[] labels)
        {
            foreach (var sample in _samples)
            {
                if (sample.Name == name && labels.All(l => sample.Labels.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
                {
                    return sample.Value;
                }
            }

            return null;
        }

        public double Value(string name, params (string Key, string Value)[] labels) =>
            Find(name, labels) ?? throw new Xunit.Sdk.XunitException($"no sample {name} {string.Join(",", labels)} in:\n{text}");

        private static (string Name, string Labels, double Value) ParseLine(string line)
        {
            int brace = line.IndexOf('{', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            string labels = string.Empty;
            string rest;
            if (brace >= 0 && brace < space)
            {
                int close = line.LastIndexOf('}');
                name = line[..brace];
                labels = line[(brace + 1)..close];
                rest = line[(close + 1)..];
            }
            else
            {
                name = line[..space];
                rest = line[space..];
            }

            string number = rest.Trim().Split(' ')[0];
            return (name, labels, double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
    }
}
