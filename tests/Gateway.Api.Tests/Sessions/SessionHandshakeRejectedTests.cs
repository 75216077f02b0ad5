using System.Net;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>docs/protocol.md section 17: a 4xx handshake ends the session Failed, with status, body and reason shown.</summary>
public sealed class SessionHandshakeRejectedTests
{
    [Fact]
    public async Task BogusAccessTokenEndsTheSessionFailedWithTheRelaysAnswer()
    {
        await using var gateway = await TestGateway.StartAsync();
        var sessions = gateway.Sessions();
        var session = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, "this-token-belongs-to-no-tunnel", "SSH=22"));

        var failed = await sessions.WaitForAsync(session.Id, s => s.State is SessionState.Failed or SessionState.Closed or SessionState.Stopped);
        AssertRejected(failed, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UsedAccessTokenWithAnotherClientTokenEndsTheSessionFailed()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var sessions = gateway.Sessions();
        var first = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        await sessions.WaitReadyAsync(first.Id);
        Assert.Equal(SessionState.Stopped, (await sessions.StopAsync(first.Id))!.State);

        // A second session with the same token gets its own generated client token: the token is used.
        var second = sessions.StartOrThrow(gateway.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        var failed = await sessions.WaitForAsync(second.Id, s => s.State is SessionState.Failed or SessionState.Closed or SessionState.Stopped);
        AssertRejected(failed, HttpStatusCode.BadRequest);
        Assert.Contains("previously used", failed.HandshakeBody, StringComparison.Ordinal);
        Assert.Equal(0, failed.Reconnects);
    }

    private static void AssertRejected(SessionSnapshot failed, HttpStatusCode status)
    {
        Assert.Equal(SessionState.Failed, failed.State);
        Assert.Equal((int)status, failed.HandshakeStatus);
        Assert.False(string.IsNullOrWhiteSpace(failed.HandshakeBody));
        Assert.NotNull(failed.StateReason);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), failed.StateReason, StringComparison.Ordinal);
        Assert.Contains(failed.HandshakeBody!, failed.StateReason, StringComparison.Ordinal);
        Assert.NotNull(failed.EndedAt);
    }
}
