using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// Many live sessions, cheaply: relay tunnels made through the REST API, both ends started on the
/// engine directly (no history, no port policy: only what the dashboard shows matters here). Each
/// pair's destination reaches an echo server; a short ping period makes every session publish new
/// counters (its RTT) about once a second, so the dashboard gets steady update rounds.
/// </summary>
internal static class ManySessions
{
    private const int PortAttempts = 8;

    /// <summary>Starts <paramref name="pairs"/> tunnels (2 sessions each); returns the source ports, and waits until every session is Connected.</summary>
    public static async Task<IReadOnlyList<int>> StartPairsAsync(TestGateway gateway, int pairs, int echoPort, int pingPeriodMs)
    {
        var manager = gateway.Services.GetRequiredService<SessionManager>();
        var settings = ProxySettings.Default with { PingPeriodMs = pingPeriodMs };
        var tokens = new (string Source, string Destination)[pairs];
        await Parallel.ForAsync(0, pairs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var tunnel = await gateway.CreateTunnelAsync(["SSH"]);
            tokens[i] = (tunnel.SourceAccessToken, tunnel.DestinationAccessToken);
        }).WaitAsync(Bounds.Long);

        var ids = new List<string>(pairs * 2);
        var ports = new List<int>(pairs);
        for (int i = 0; i < pairs; i++)
        {
            var destination = manager.Start(Spec(gateway, settings, $"load {i} destination", SessionMode.Destination, tokens[i].Destination, $"SSH=127.0.0.1:{echoPort}"));
            Assert.True(destination.Started, string.Join("; ", destination.Errors));
            ids.Add(destination.Session!.Id);

            SessionStartResult? source = null;
            int port = 0;
            for (int attempt = 0; attempt < PortAttempts && source?.Started != true; attempt++)
            {
                // A free port may be taken meanwhile (by another test): choose again.
                port = Tcp.FreePort();
                source = manager.Start(Spec(gateway, settings, $"load {i} source", SessionMode.Source, tokens[i].Source, $"SSH={port}") with { BindAddress = "127.0.0.1" });
            }

            Assert.True(source!.Started, string.Join("; ", source.Errors));
            ids.Add(source.Session!.Id);
            ports.Add(port);
        }

        await WaitAllConnectedAsync(manager, ids);
        return ports;
    }

    private static SessionSpec Spec(TestGateway gateway, ProxySettings settings, string name, SessionMode mode, string token, string services) => new()
    {
        Name = name,
        Mode = mode,
        Endpoint = gateway.RelayEndpoint,
        CaPath = gateway.CaDirectory,
        AccessToken = token,
        Services = services,
        Settings = settings,
    };

    private static async Task WaitAllConnectedAsync(SessionManager manager, IReadOnlyCollection<string> ids)
    {
        using var changed = new SemaphoreSlim(0);
        void OnChanged(SessionEvent e) => changed.Release();
        manager.Changed += OnChanged;
        try
        {
            using var cts = new CancellationTokenSource(Bounds.Long);
            var wanted = ids.ToHashSet(StringComparer.Ordinal);
            while (true)
            {
                var states = manager.List().Where(s => wanted.Contains(s.Id)).ToList();
                int connected = states.Count(s => s.State == SessionState.Connected);
                if (connected == wanted.Count)
                {
                    return;
                }

                var ended = states.FirstOrDefault(s => s.State is SessionState.Failed or SessionState.Closed or SessionState.Stopped);
                Assert.True(ended is null, $"session {ended?.Name} ended: {ended?.State} {ended?.StateReason} {ended?.LastError}");
                try
                {
                    await changed.WaitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"{connected} of {wanted.Count} sessions connected");
                }
            }
        }
        finally
        {
            manager.Changed -= OnChanged;
        }
    }
}
