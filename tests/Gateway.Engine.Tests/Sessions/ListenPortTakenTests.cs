using System.Net;
using System.Net.Sockets;
using Gateway.Engine.Sessions;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// A source session binds its ports at start but listens only once SERVICE_IDS arrives (as the reference does).
/// On Linux another socket with SO_REUSEADDR (another proxy given the same -s port) can bind the same port in
/// between and listen first: then the session must end with a port conflict, not sit "waiting for SERVICE_IDS".
/// </summary>
public sealed class ListenPortTakenTests
{
    [Fact]
    public async Task APortTakenBeforeServiceIdsArriveEndsTheSessionWithAPortConflict()
    {
        int port = Tcp.FreePort();
        await using var kit = await SessionTestKit.CreateAsync();
        var service = await kit.ConnectAsync(kit.Source($"SSH1={port}"), serviceIds: null);

        // The other program: binds the port the session holds (both set SO_REUSEADDR, neither listens yet), listens.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
        other.Bind(new IPEndPoint(IPAddress.Loopback, port));
        other.Listen(1);

        await service.SendFramesAsync(SessionTestKit.Injected("2")[0].Hex);
        var failed = await kit.WaitForAsync(s => s.State == SessionState.Failed, "Failed");
        Assert.Equal(SessionFailure.PortUnavailable, failed.Failure);
        Assert.Contains($"127.0.0.1:{port}", failed.StateReason, StringComparison.Ordinal);
        Assert.Contains("already in use", failed.StateReason, StringComparison.Ordinal);
    }
}
