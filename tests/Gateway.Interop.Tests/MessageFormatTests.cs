using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// The message formats of protocol.md section 9 between the reference and our ends: V3 with two
/// services multiplexed on one tunnel, V2 (no connectionId; one connection per stream) and V1 (no
/// serviceId either), in both directions.
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
        await OneConnectionPerStreamAsync(EndKind.Reference, destinationKind, "V2", ["SSH"]);
    }

    /// <summary>Our source in V2: the reference destination sees no connectionId and reverts to the V2 format.</summary>
    [Theory]
    [InlineData(EndKind.Engine)]
    [InlineData(EndKind.Cli)]
    public async Task TheReferenceDestinationFollowsOurSourceInV2(EndKind sourceKind)
    {
        await OneConnectionPerStreamAsync(sourceKind, EndKind.Reference, "V2", ["SSH"]);
    }

    /// <summary>The reference source with <c>--destination-client-type V1</c> (empty serviceId, no connectionId) to our destination.</summary>
    [Theory]
    [InlineData(EndKind.Engine)]
    [InlineData(EndKind.Cli)]
    public async Task OurDestinationServesAReferenceSourceInV1(EndKind destinationKind)
    {
        await OneConnectionPerStreamAsync(EndKind.Reference, destinationKind, "V1", ["SSH"]);
    }

    /// <summary>
    /// Our source in V1 to the reference destination. The reference takes an empty serviceId only
    /// in its own V1 mode (<c>-y V1</c>, which its code applies in destination mode too), as a
    /// 1.x destination would.
    /// </summary>
    [Theory]
    [InlineData(EndKind.Engine)]
    [InlineData(EndKind.Cli)]
    public async Task TheReferenceDestinationInV1ServesOurSourceInV1(EndKind sourceKind)
    {
        await OneConnectionPerStreamAsync(sourceKind, EndKind.Reference, "V1", ["SSH"], destinationOptions: new EndOptions { DestinationClientType = "V1" });
    }

    /// <summary>
    /// V1/V2: one connection per stream, so the traffic is 64 KiB and 10 MB on one connection and
    /// then 1 MB on a second one after it (a new stream); no parallel connections.
    /// </summary>
    private async Task OneConnectionPerStreamAsync(EndKind sourceKind, EndKind destinationKind, string format, string[] services, EndOptions? destinationOptions = null)
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync(services);
        await using var destination = await Ends.StartDestinationAsync(
            destinationKind, Gateway, tunnel.DestinationAccessToken, $"{services[0]}=127.0.0.1:{echo.Port}", output, destinationOptions);
        await using var source = await Ends.StartSourceAsync(
            sourceKind, Gateway, tunnel.SourceAccessToken, services, output, new EndOptions { DestinationClientType = format });

        int window = format == "V1" ? Traffic.V1Window : Traffic.Window;
        await Traffic.OneConnectionAsync(source.Port(), window);
        await echo.WaitIdleAsync();
        if (source.Process is { } process && sourceKind == EndKind.Reference)
        {
            // In V1/V2 the reference closes its listener when a connection ends and opens it again
            // (protocol.md 8.2); a connect in between is reset.
            await process.WaitForLineAsync(new Regex($@"Listening for new connection on port {source.Port()}\b"), occurrence: 2);
        }

        using (var second = await Tcp.ConnectAsync(source.Port()))
        {
            await Traffic.EchoVerifiedAsync(second, Traffic.ParallelSize, window);
        }

        Assert.Equal(2, echo.Accepted);
        Assert.False(source.Process?.HasExited ?? false, $"the source exited: {source}");
        Assert.False(destination.Process?.HasExited ?? false, $"the destination exited: {destination}");
    }
}
