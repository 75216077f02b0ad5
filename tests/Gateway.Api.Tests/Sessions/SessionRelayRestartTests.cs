using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Api.Tests.Sessions;

/// <summary>
/// The relay restarts under live sessions: the sessions (in an engine that outlives the gateway)
/// reconnect with their client tokens to the new gateway on the same port and data directory.
/// </summary>
public sealed class SessionRelayRestartTests
{
    [Fact]
    public async Task SessionsReconnectToARestartedRelayAndCarryNewConnections()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        await using var sessions = new SessionManager(TimeProvider.System, NullLoggerFactory.Instance);
        using var echo = EchoServer.Start();
        var (gatewayA, httpsPort) = await StartOnFixedPortAsync(dataDirectory);
        var stopA = new GatewayOwner(gatewayA);
        await using var ownerA = stopA;
        var tunnel = await gatewayA.CreateTunnelAsync("SSH");
        var destination = sessions.StartOrThrow(gatewayA.Spec(SessionMode.Destination, tunnel.DestinationAccessToken, $"SSH={echo.Port}"));
        var (source, ports) = sessions.StartSourceOnFreePorts(1, p => gatewayA.Spec(SessionMode.Source, tunnel.SourceAccessToken, $"SSH={p[0]}"));
        await sessions.WaitReadyAsync(destination.Id);
        await sessions.WaitReadyAsync(source.Id);
        using (var before = await LocalClient.ConnectAsync(ports[0]))
        {
            await before.EchoRandomAsync(64 * 1024);
            await stopA.DisposeAsync();

            // The relay went away without a close frame: the open connection is lost, the sessions retry.
            await before.WaitClosedAsync();
        }

        await sessions.WaitForAsync(source.Id, s => s.State == SessionState.Reconnecting || s.Reconnects >= 1);
        await using var gatewayB = await TestGateway.StartAsync(dataDirectory, httpsPort: httpsPort);
        Assert.Equal(httpsPort, gatewayB.HttpsBase.Port);

        var timeout = TimeSpan.FromSeconds(20);
        var sourceBack = await sessions.WaitForAsync(source.Id, s => SessionHarness.IsReady(s) && s.Reconnects >= 1, timeout);
        var destinationBack = await sessions.WaitForAsync(destination.Id, s => SessionHarness.IsReady(s) && s.Reconnects >= 1, timeout);
        Assert.Equal(SessionState.Connected, sourceBack.State);
        Assert.Equal(SessionState.Connected, destinationBack.State);

        using var after = await LocalClient.ConnectAsync(ports[0]);
        await after.EchoRandomAsync(256 * 1024);
        Assert.Equal(2, echo.Accepted);
    }

    /// <summary>Starts a gateway on a fixed HTTPS port (retrying if another test takes the port meanwhile).</summary>
    private static async Task<(TestGateway Gateway, int Port)> StartOnFixedPortAsync(string dataDirectory)
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = SessionHarness.FreePort();
            try
            {
                return (await TestGateway.StartAsync(dataDirectory, httpsPort: port), port);
            }
            catch (IOException) when (attempt < 4)
            {
                // Address in use: someone else bound it between FreePort and Kestrel's bind.
            }
        }
    }

    /// <summary>A gateway the test stops midway; disposing it again (or on failure) is safe.</summary>
    private sealed class GatewayOwner(TestGateway gateway) : IAsyncDisposable
    {
        private TestGateway? _gateway = gateway;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _gateway, null) is { } running)
            {
                await running.DisposeAsync();
            }
        }
    }
}
