using System.Net;
using System.Net.Sockets;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// Control scenarios of vectors.json: an ignorable unknown type (10) and a close frame from the service (11b). Where
/// the engine deliberately differs (SESSION_RESET, answering the close frame) see <see cref="DeliberateDifferenceTests"/>.
/// </summary>
public sealed class ReferenceScenarioControlTests
{
    [Fact]
    public async Task Scenario10_IgnorableUnknownType_IsDroppedAndTheStreamGoesOn()
    {
        var sent = SessionTestKit.Sent("10");
        var injected = SessionTestKit.Injected("10");
        var unknown = injected[1];
        Assert.Equal((Gateway.Engine.Protocol.Wire.Message.Types.Type)9, unknown.Type);
        Assert.True(unknown.Ignorable);
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), injected[0].Hex);

        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);

        // Type 9, ignorable: nothing sent, nothing closed, and reading goes on (the DATA after it is delivered).
        await service.SendFramesAsync(unknown.Hex);
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        var early = injected.Single(f => f.PayloadAscii == "early");
        await service.SendFramesAsync(early.Hex);
        Assert.Equal("early", System.Text.Encoding.ASCII.GetString(await a.ReadExactlyAsync(5)));

        // A second client on the same stream: CONNECTION_START sid1 cid2, as captured.
        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);
        await b.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[3]);
        Assert.Equal(SessionState.Connected, kit.Snapshot.State);
    }

    [Fact]
    public async Task ResetConnection_SendsTheReferencesConnectionReset_AndClosesOnlyThatConnection()
    {
        // No reference scenario resets from a UI; the frame must still be the one the reference sends when a local
        // connection ends (vector 3b: CONNECTION_RESET sid1 SSH1 cid2).
        var sent = SessionTestKit.Sent("3b");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("3b")[0].Hex);
        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await using var b = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[2]);

        Assert.False(kit.Manager.ResetConnection(kit.Id, "SSH1.9"));
        Assert.Null(kit.Manager.ResetConnection("no-such-session", "SSH1.2"));
        Assert.True(kit.Manager.ResetConnection(kit.Id, "SSH1.2"));
        await SessionTestKit.ExpectAsync(service, sent[5]);
        Assert.True(await b.IsClosedByPeerAsync(TestTimeouts.Short), "the reset connection is still open");

        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);
        await kit.WaitForAsync(s => s.ActiveConnections == 1, "carrying one connection");
    }

    [Fact]
    public async Task Scenario11b_CloseFrameFromService_ClosesLocalClients_NoFrameSent_NoReconnect()
    {
        var sent = SessionTestKit.Sent("11b");
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var settings = SessionTestKit.FastSettings with { ConnectRetryCount = -1 };
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}", settings: settings), SessionTestKit.Injected("11b")[0].Hex);

        await using var a = await TcpTestClient.ConnectAsync(port);
        await SessionTestKit.ExpectAsync(service, sent[0]);
        await a.SendAsync(SessionTestKit.Ascii("hello"));
        await SessionTestKit.ExpectAsync(service, sent[1]);

        await service.SendCloseAsync(1000, string.Empty);
        Assert.True(await a.IsClosedByPeerAsync(TestTimeouts.Short), "the local client was not closed after the close frame");
        await service.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        await kit.WaitForAsync(s => s.State == SessionState.Closed, "Closed");

        // No reconnect, no listener.
        await kit.Fake.AssertNoConnectionAsync(SessionTestKit.QuietWindow);
        await SessionTestKit.AssertRefusedAsync(port);
        Assert.Equal(1, kit.Fake.AcceptedCount);
    }

    [Fact]
    public async Task Scenario11b_WhenClosedIsPublished_ThePortNoLongerAcceptsConnections()
    {
        // "port not listening" must already hold when the terminal state is announced: a client that restarts the
        // session on that event must find the port free (no port conflict, no connection accepted and dropped).
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), SessionTestKit.Injected("11b")[0].Hex);
        var probe = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string id = kit.Id;
        void OnChanged(SessionEvent e)
        {
            if (e.Session.Id == id && e.Session.State == SessionState.Closed)
            {
                probe.TrySetResult(Probe(port));
            }
        }

        kit.Manager.Changed += OnChanged;
        try
        {
            await service.SendCloseAsync(1000, string.Empty);
            string atClosed = await probe.Task.WaitAsync(TestTimeouts.Default);
            Assert.True(atClosed == "refused", $"when the session was published as Closed, a connect to its port was {atClosed}");
        }
        finally
        {
            kit.Manager.Changed -= OnChanged;
        }
    }

    private static string Probe(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return "accepted (the source listener was still open)";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused ? "refused" : e.SocketErrorCode.ToString();
        }
    }
}
