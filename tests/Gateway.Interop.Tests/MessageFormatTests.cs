using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// The message formats of docs/protocol.md section 9 between the reference and our ends: V3 with two
/// services multiplexed on one tunnel, and V2 (no connectionId; one connection per stream) in both
/// directions. V1 is in <see cref="V1FormatTests"/>.
/// </summary>
public sealed class MessageFormatTests(GatewayFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    [Theory]
    [InlineData(EndKind.Reference, EndKind.Engine)]
    [InlineData(EndKind.Engine, EndKind.Reference)]
    [InlineData(EndKind.Reference, EndKind.Reference)]
    public async Task TwoServicesAreMultiplexedOnOneTunnelInV3(EndKind sourceKind, EndKind destinationKind)
    {
        using var ssh = EchoServer.Start();
        using var web = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH", "WEB");
        await using var destination = await Ends.StartDestinationAsync(
            destinationKind, Gateway, tunnel.DestinationAccessToken, $"SSH=127.0.0.1:{ssh.Port},WEB=127.0.0.1:{web.Port}", output);
        await using var source = await Ends.StartSourceAsync(sourceKind, Gateway, tunnel.SourceAccessToken, ["SSH", "WEB"], output);

        // Both services at once, each with several connections on its one stream.
        await Task.WhenAll(Traffic.VerifyAsync(source.Port("SSH")), Traffic.VerifyAsync(source.Port("WEB")));

        Assert.Equal(1 + Traffic.ParallelConnections, ssh.Accepted);
        Assert.Equal(1 + Traffic.ParallelConnections, web.Accepted);
    }

    /// <summary>The reference source with <c>-y V2</c>: our destination answers each stream in the V2 format.</summary>
    [Theory]
    [InlineData(EndKind.Engine)]
    [InlineData(EndKind.Cli)]
    public async Task OurDestinationFollowsAReferenceSourceInV2(EndKind destinationKind)
    {
        await OneStreamTraffic.RunAsync(Gateway, output, EndKind.Reference, destinationKind, "V2", ["SSH"]);
    }

    /// <summary>Our source in V2: the reference destination sees no connectionId and reverts to the V2 format.</summary>
    [Theory]
    [InlineData(EndKind.Engine)]
    [InlineData(EndKind.Cli)]
    public async Task TheReferenceDestinationFollowsOurSourceInV2(EndKind sourceKind)
    {
        await OneStreamTraffic.RunAsync(Gateway, output, sourceKind, EndKind.Reference, "V2", ["SSH"]);
    }
}
