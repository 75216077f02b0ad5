using System.Net.Sockets;
using System.Net;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Infrastructure;

/// <summary>Starts engine sessions against a test gateway's built-in relay and waits for their states.</summary>
internal static class SessionHarness
{
    public static SessionManager Sessions(this TestGateway gateway) => gateway.Services.GetRequiredService<SessionManager>();

    public static string CaDirectory(this TestGateway gateway) => Path.Combine(gateway.DataDirectory, "tls", "ca");

    /// <summary>Fast settings for tests: short retry and ping periods.</summary>
    public static ProxySettings FastSettings { get; } = ProxySettings.Default with
    {
        RetryDelayMs = 100,
        TcpConnectionRetryCount = 1,
        TcpConnectionRetryDelayMs = 100,
        PingPeriodMs = 1000,
    };

    public static SessionSpec Spec(this TestGateway gateway, SessionMode mode, string accessToken, string services, ProxySettings? settings = null) => new()
    {
        Mode = mode,
        Endpoint = $"wss://127.0.0.1:{gateway.HttpsBase.Port}",
        AccessToken = accessToken,
        Services = services,
        CaPath = gateway.CaDirectory(),
        BindAddress = mode == SessionMode.Source ? "127.0.0.1" : null,
        Settings = settings ?? FastSettings,
    };

    public static SessionSnapshot StartOrThrow(this SessionManager sessions, SessionSpec spec)
    {
        var result = sessions.Start(spec);
        Assert.True(result.Started, string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
        return result.Session!;
    }

    /// <summary>Waits (event-driven, bounded) until the session's snapshot satisfies <paramref name="condition"/>.</summary>
    public static async Task<SessionSnapshot> WaitForAsync(this SessionManager sessions, string id, Func<SessionSnapshot, bool> condition, TimeSpan? timeout = null)
    {
        var signal = new SemaphoreSlim(0);
        void OnChanged(SessionEvent e)
        {
            if (e.Session.Id == id)
            {
                signal.Release();
            }
        }

        sessions.Changed += OnChanged;
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? TestGateway.Timeout);
            while (true)
            {
                var snapshot = sessions.Get(id) ?? throw new InvalidOperationException($"session {id} is gone");
                if (condition(snapshot))
                {
                    return snapshot;
                }

                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(250), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"session {id} did not reach the expected state; last: {snapshot.State} ({snapshot.StateReason}), error {snapshot.LastError}");
                }
            }
        }
        finally
        {
            sessions.Changed -= OnChanged;
        }
    }

    public static Task<SessionSnapshot> WaitReadyAsync(this SessionManager sessions, string id) =>
        sessions.WaitForAsync(id, s => s.State == SessionState.Connected && s.StateReason is null);

    public static bool IsReady(SessionSnapshot snapshot) => snapshot.State == SessionState.Connected && snapshot.StateReason is null;

    /// <summary>
    /// Starts a source session on ports from <see cref="FreePort"/>; <paramref name="specForPorts"/> builds
    /// the spec from <paramref name="portCount"/> ports. Retries with new ports when another test took one meanwhile.
    /// </summary>
    public static (SessionSnapshot Session, int[] Ports) StartSourceOnFreePorts(this SessionManager sessions, int portCount, Func<int[], SessionSpec> specForPorts)
    {
        SessionStartResult? result = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var ports = Enumerable.Range(0, portCount).Select(_ => FreePort()).ToArray();
            if (ports.Distinct().Count() != ports.Length)
            {
                continue;
            }

            result = sessions.Start(specForPorts(ports));
            if (result.Started)
            {
                return (result.Session!, ports);
            }

            if (!result.IsConflict)
            {
                break;
            }
        }

        Assert.Fail("could not start the source session: " + string.Join("; ", result?.Errors.Select(e => $"{e.Field}: {e.Message}") ?? []));
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Waits (event-driven, bounded) until every session in <paramref name="ids"/> satisfies <paramref name="condition"/>.</summary>
    public static async Task<IReadOnlyList<SessionSnapshot>> WaitAllAsync(this SessionManager sessions, IReadOnlyCollection<string> ids, Func<SessionSnapshot, bool> condition, TimeSpan? timeout = null)
    {
        var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
        var signal = new SemaphoreSlim(0);
        void OnChanged(SessionEvent e)
        {
            if (wanted.Contains(e.Session.Id))
            {
                signal.Release();
            }
        }

        sessions.Changed += OnChanged;
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? TestGateway.Timeout);
            while (true)
            {
                var snapshots = ids.Select(id => sessions.Get(id) ?? throw new InvalidOperationException($"session {id} is gone")).ToList();
                var pending = snapshots.Where(s => !condition(s)).ToList();
                if (pending.Count == 0)
                {
                    return snapshots;
                }

                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(250), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    var sample = string.Join("; ", pending.Take(5).Select(s => $"{s.Id} {s.Mode} {s.State} ({s.StateReason}) error {s.LastError}"));
                    var log = sessions.GetLog(pending[0].Id) ?? [];
                    var lines = string.Join(Environment.NewLine, log.TakeLast(20).Select(l => $"  {l.At:HH:mm:ss.fff} {l.Level} {l.Message}"));
                    throw new TimeoutException($"{pending.Count} of {ids.Count} session(s) did not reach the expected state, e.g. {sample}{Environment.NewLine}log of {pending[0].Id}:{Environment.NewLine}{lines}");
                }
            }
        }
        finally
        {
            sessions.Changed -= OnChanged;
        }
    }

    /// <summary>A port that was free a moment ago (bind 0, read, release).</summary>
    public static int FreePort() => Gateway.Testing.Tcp.FreePort();
}
