using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// Our relay restarting under the reference: it goes away without a close frame (as a crash or a
/// deployment would) and comes back on the same address and database, where the tunnels and their
/// token state live.
/// </summary>
public sealed class RelayRestartTests(ITestOutputHelper output)
{
    private const string SourceClientToken = "interop-source-client-token-0123456789";
    private const string DestinationClientToken = "interop-destination-client-token-0123456789";

    [Fact]
    public async Task TheReferenceReconnectsWithItsClientTokenAfterTheRelayRestarts()
    {
        string dataDirectory = Directory.CreateTempSubdirectory("interop-restart-").FullName;
        using var echo = EchoServer.Start();
        var first = await TestGateway.StartAsync(dataDirectory);
        int port = first.HttpsBase.Port;
        TunnelEnd? destination = null;
        TunnelEnd? source = null;
        TestGateway? second = null;
        try
        {
            var tunnel = await first.CreateTunnelAsync("SSH");
            destination = await Ends.StartDestinationAsync(
                EndKind.Reference, first, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output, new EndOptions { ClientToken = DestinationClientToken });
            source = await Ends.StartSourceAsync(
                EndKind.Reference, first, tunnel.SourceAccessToken, ["SSH"], output, new EndOptions { ClientToken = SourceClientToken });
            using (var client = await Tcp.ConnectAsync(source.Port()))
            {
                await Traffic.EchoVerifiedAsync(client, Traffic.Small);
            }

            // The relay goes away without a close frame (as a crash or a deployment would) and comes
            // back on the same address and database.
            await first.DisposeAsync();
            second = await TestGateway.StartAsync(dataDirectory, port);

            // Both reconnect with the same access token, which only their client token makes acceptable again.
            await destination.Process!.WaitForLineAsync(Ends.ReferenceConnected(), Bounds.Long, occurrence: 2);
            await source.Process!.WaitForLineAsync(new Regex($@"Listening for new connection on port {source.Port()}\b"), Bounds.Long, occurrence: 2);
            await Traffic.OneConnectionAsync(source.Port());
            Assert.False(source.Process.HasExited, source.ToString());
            Assert.False(destination.Process.HasExited, destination.ToString());
        }
        finally
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }

            if (destination is not null)
            {
                await destination.DisposeAsync();
            }

            await (second ?? first).DisposeAsync();
        }
    }

    /// <summary>
    /// docs/protocol.md 17, row "reconnect after an established session drops": without <c>-i</c> the
    /// reference reconnects with its burned access token alone, is refused (400) and exits 0; our CLI,
    /// also given no client token, generated one and is let back in.
    /// </summary>
    [Theory]
    [InlineData(EndKind.Reference)]
    [InlineData(EndKind.Cli)]
    public async Task WithoutAClientTokenOnlyOursIsAcceptedAfterTheRelayRestarts(EndKind kind)
    {
        string dataDirectory = Directory.CreateTempSubdirectory("interop-restart-").FullName;
        using var echo = EchoServer.Start();
        var first = await TestGateway.StartAsync(dataDirectory);
        int port = first.HttpsBase.Port;
        TestGateway? second = null;
        TunnelEnd? destination = null;
        try
        {
            var tunnel = await first.CreateTunnelAsync("SSH");
            destination = await Ends.StartDestinationAsync(kind, first, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output);

            await first.DisposeAsync();
            second = await TestGateway.StartAsync(dataDirectory, port);

            if (kind == EndKind.Reference)
            {
                Assert.Equal(0, await destination.Process!.WaitForExitAsync(Bounds.Long));
                Assert.Contains("400", destination.Process.Output, StringComparison.Ordinal);
            }
            else
            {
                await destination.Process!.WaitForLineAsync(new Regex("service ids from the tunnel"), Bounds.Long, occurrence: 2);
                await using var source = await Ends.StartSourceAsync(EndKind.Reference, second, tunnel.SourceAccessToken, ["SSH"], output);
                using var client = await Tcp.ConnectAsync(source.Port());
                await Traffic.EchoVerifiedAsync(client, Traffic.ParallelSize);
            }
        }
        finally
        {
            if (destination is not null)
            {
                await destination.DisposeAsync();
            }

            await (second ?? first).DisposeAsync();
        }
    }
}
