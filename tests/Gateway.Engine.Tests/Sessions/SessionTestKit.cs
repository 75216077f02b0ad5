using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net;
using System.Text;
using Gateway.Engine.Protocol.Wire;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Settings;
using Gateway.Engine.Tests.Infrastructure;
using Gateway.Engine.Tests.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// One engine session against one <see cref="FakeTunnelService"/>, for replaying the reference scenarios
/// (docs/protocol.md section 18) at frame level: a private <see cref="SessionManager"/>, spec builders with short
/// settings, bounded event-driven waits on snapshots, byte-exact frame expectations, and the captured frames of
/// <c>vectors.json</c> by scenario. Every wait is bounded; nothing sleeps to synchronise.
/// </summary>
internal sealed class SessionTestKit : IAsyncDisposable
{
    public const string AccessToken = "test-access-token-0123456789";

    /// <summary>The client token the reference captures used (44 characters, sent verbatim).</summary>
    public const string ReferenceClientToken = "clienttoken-0123456789abcdef0123456789ABCDEF";

    /// <summary>Short settings: one ping per connection (no periodic pings), fast retries, the 6b TCP retry values.</summary>
    public static readonly ProxySettings FastSettings = ProxySettings.Default with
    {
        PingPeriodMs = 60_000,
        RetryDelayMs = 100,
        ConnectRetryCount = 0,
        TcpConnectionRetryCount = 1,
        TcpConnectionRetryDelayMs = 200,
    };

    private readonly ConcurrentQueue<SessionState> _statesSeen = new();
    private string? _id;

    private SessionTestKit(FakeTunnelService fake, ILoggerFactory? loggers)
    {
        Fake = fake;
        Manager = new SessionManager(TimeProvider.System, loggers ?? NullLoggerFactory.Instance);
        Manager.Changed += OnChanged;
    }

    /// <summary>How long a negative check ("nothing arrives") watches.</summary>
    public static TimeSpan QuietWindow { get; } = TimeSpan.FromMilliseconds(300);

    public FakeTunnelService Fake { get; }

    public SessionManager Manager { get; }

    public string Id => _id ?? throw new InvalidOperationException("no session was started");

    public SessionSnapshot Snapshot => Manager.Get(Id) ?? throw new InvalidOperationException($"session {Id} is gone");

    /// <summary>Every state the session published, in order (so a short-lived state is not missed).</summary>
    public IReadOnlyList<SessionState> StatesSeen => _statesSeen.ToArray();

    /// <summary><c>ws://127.0.0.1:port</c> (or <c>wss://</c>) of the fake, as a session endpoint.</summary>
    public string Endpoint => $"{(Fake.UseTls ? "wss" : "ws")}://127.0.0.1:{Fake.Port}";

    /// <param name="loggers">Where the sessions log (none by default).</param>
    public static async Task<SessionTestKit> CreateAsync(bool useTls = false, ILoggerFactory? loggers = null) =>
        new(await FakeTunnelService.StartAsync(useTls).WaitAsync(TestTimeouts.Default), loggers);

    public SessionSpec Source(string services, MessageFormat format = MessageFormat.V3, ProxySettings? settings = null, string? clientToken = null) => new()
    {
        Name = "reference-scenario",
        Mode = SessionMode.Source,
        Endpoint = Endpoint,
        AccessToken = AccessToken,
        ClientToken = clientToken,
        Services = services,
        BindAddress = "127.0.0.1",
        SkipTlsVerify = Fake.UseTls,
        MessageFormat = format,
        Settings = settings ?? FastSettings,
    };

    public SessionSpec Destination(string services, ProxySettings? settings = null, string? clientToken = null, string? bindAddress = null) => new()
    {
        Name = "reference-scenario",
        Mode = SessionMode.Destination,
        Endpoint = Endpoint,
        AccessToken = AccessToken,
        ClientToken = clientToken,
        Services = services,
        BindAddress = bindAddress,
        SkipTlsVerify = Fake.UseTls,
        Settings = settings ?? FastSettings,
    };

    /// <summary>Starts the session (asserting it started) and returns its id.</summary>
    public string Start(SessionSpec spec)
    {
        var result = Manager.Start(spec);
        Assert.True(result.Started, "the session did not start: " + string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
        _id = result.Session!.Id;
        return _id;
    }

    /// <summary>
    /// Starts the session, takes its WebSocket connection and, when <paramref name="serviceIds"/> is given, sends that
    /// SERVICE_IDS frame as its own message and waits until the services are set up.
    /// </summary>
    public async Task<FakeConnection> ConnectAsync(SessionSpec spec, byte[]? serviceIds)
    {
        Start(spec);
        var connection = await Fake.AcceptAsync();
        Assert.False(connection.Rejected, "the fake rejected the upgrade: " + connection.ResponseText);
        if (serviceIds is not null)
        {
            await connection.SendFramesAsync(serviceIds);
            await WaitReadyAsync();
        }

        return connection;
    }

    public Task<SessionSnapshot> WaitReadyAsync() =>
        WaitForAsync(s => s.State == SessionState.Connected && s.StateReason is null, "Connected with its services set up");

    /// <summary>Waits (Changed events plus a short poll, bounded) until the snapshot satisfies <paramref name="condition"/>.</summary>
    public async Task<SessionSnapshot> WaitForAsync(Func<SessionSnapshot, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var signal = new SemaphoreSlim(0);
        string id = Id;
        void OnEvent(SessionEvent e)
        {
            if (e.Session.Id == id)
            {
                try
                {
                    signal.Release();
                }
                catch (ObjectDisposedException)
                {
                    // The wait is over.
                }
            }
        }

        Manager.Changed += OnEvent;
        try
        {
            using var cts = new CancellationTokenSource(limit);
            while (true)
            {
                var snapshot = Snapshot;
                if (condition(snapshot))
                {
                    return snapshot;
                }

                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(50), cts.Token);
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                    throw new TimeoutException(
                        $"session {id} was not {what} within {limit}; last: {snapshot.State} ({snapshot.StateReason}), last error: {snapshot.LastError}, "
                        + $"active connections {snapshot.ActiveConnections}, log: {string.Join(" | ", (Manager.GetLog(id) ?? []).TakeLast(8).Select(l => l.Message))}");
                }
            }
        }
        finally
        {
            Manager.Changed -= OnEvent;
        }
    }

    /// <summary>The session's recent log as one string (for assertions on what it reported).</summary>
    public string LogText => string.Join("\n", (Manager.GetLog(Id) ?? []).Select(l => $"{l.Level}: {l.Message}"));

    /// <summary>A socket bound to 127.0.0.1 and NOT listening: connecting to its port is refused for as long as it lives.</summary>
    public static Socket RefusingPort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    /// <summary>Asserts that connecting to 127.0.0.1:<paramref name="port"/> is refused (nothing listens).</summary>
    public static async Task AssertRefusedAsync(int port)
    {
        var error = await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            await using var client = await TcpTestClient.ConnectAsync(port, TestTimeouts.Short);
        });
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    /// <summary>Asserts that no byte arrives on <paramref name="client"/> within <see cref="QuietWindow"/> (and it stays open).</summary>
    public static async Task AssertNoBytesAsync(TcpTestClient client)
    {
        await Assert.ThrowsAsync<TimeoutException>(() => client.ReadExactlyAsync(1, QuietWindow));
    }

    /// <summary>The captured tunnel frames of scenario <paramref name="key"/> (e.g. "2", "6a") the reference proxy SENT, in order.</summary>
    public static IReadOnlyList<VectorFrame> Sent(string key) =>
        ScenarioFrames(key).Where(f => f.What.StartsWith("proxy sends", StringComparison.Ordinal)).ToArray();

    /// <summary>The captured tunnel frames of scenario <paramref name="key"/> the stand-in service sent to the proxy, in order.</summary>
    public static IReadOnlyList<VectorFrame> Injected(string key) =>
        ScenarioFrames(key).Where(f => !f.What.StartsWith("proxy sends", StringComparison.Ordinal)).ToArray();

    /// <summary>Reads the next tunnel frame the engine sent and asserts it is byte-equal to the captured one.</summary>
    public static Task ExpectAsync(FakeConnection connection, VectorFrame expected) =>
        ExpectAsync(connection, expected.Hex, $"scenario {expected.Id} ({expected.What})");

    /// <summary>Reads the next tunnel frame the engine sent and asserts it is byte-equal to <paramref name="expected"/>.</summary>
    public static async Task<byte[]> ExpectAsync(FakeConnection connection, byte[] expected, string what)
    {
        byte[] frame;
        try
        {
            frame = await connection.NextTunnelFrameAsync();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"expected {what} = {Hex.Of(expected)}, but: {e.Message}");
        }

        if (!frame.AsSpan().SequenceEqual(expected))
        {
            Assert.Fail($"expected {what}\n  want {Hex.Of(expected)} ({Describe(expected)})\n  got  {Hex.Preview(frame, 96)} ({Describe(frame)})");
        }

        return frame;
    }

    /// <summary>Decodes a whole tunnel frame (length prefix included).</summary>
    public static Message Decode(byte[] frame)
    {
        Assert.True(frame.Length >= 2, $"a tunnel frame of {frame.Length} bytes");
        int length = (frame[0] << 8) | frame[1];
        Assert.Equal(frame.Length - 2, length);
        return Message.Parser.ParseFrom(frame, 2, length);
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Manager.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }
        finally
        {
            Manager.Changed -= OnChanged;
            await Fake.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }
    }

    private static IEnumerable<VectorFrame> ScenarioFrames(string key)
    {
        var frames = ReferenceVectors.Frames.Where(f => string.Equals(f.Scenario.Split(' ', 2)[0], key, StringComparison.Ordinal)).ToArray();
        Assert.True(frames.Length > 0, $"vectors.json has no frames for scenario {key}");
        return frames;
    }

    private static string Describe(byte[] frame)
    {
        try
        {
            var message = Decode(frame);
            return $"{message.Type} sid {message.StreamId} svc '{message.ServiceId}' cid {message.ConnectionId} payload {message.Payload.Length} ignorable {message.Ignorable}";
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or Xunit.Sdk.XunitException)
        {
            return "undecodable";
        }
    }

    private void OnChanged(SessionEvent e)
    {
        if (e.Session.Id == _id && (_statesSeen.IsEmpty || _statesSeen.Last() != e.Session.State))
        {
            _statesSeen.Enqueue(e.Session.State);
        }
    }
}
