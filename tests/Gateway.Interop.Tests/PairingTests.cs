using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// Each pairing of the reference with our programs through our relay carries the traffic
/// (64 KiB and 10 MB on one connection, 8 parallel connections of 1 MB), every byte compared.
/// </summary>
public sealed class PairingTests(GatewayFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    [Theory]
    [InlineData(EndKind.Reference, EndKind.Engine)]
    [InlineData(EndKind.Engine, EndKind.Reference)]
    [InlineData(EndKind.Reference, EndKind.Reference)]
    [InlineData(EndKind.Cli, EndKind.Reference)]
    [InlineData(EndKind.Reference, EndKind.Cli)]
    public async Task SourceAndDestinationCarryVerifiedBytesThroughOurRelay(EndKind sourceKind, EndKind destinationKind)
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = await Ends.StartDestinationAsync(destinationKind, Gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{echo.Port}", output);
        await using var source = await Ends.StartSourceAsync(sourceKind, Gateway, tunnel.SourceAccessToken, ["SSH"], output);

        await Traffic.VerifyAsync(source.Port());

        Assert.Equal(1 + Traffic.ParallelConnections, echo.Accepted);
        Assert.False(source.Process?.HasExited ?? false, $"the source exited: {source}");
        Assert.False(destination.Process?.HasExited ?? false, $"the destination exited: {destination}");
    }
}
