using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// The V1 message format (<c>-y V1</c>: no serviceId, no connectionId; one service, one connection per
/// stream) between the reference and our ends, both ways (docs/protocol.md section 9).
/// </summary>
public sealed class V1FormatTests(GatewayFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    /// <summary>The reference source with <c>--destination-client-type V1</c> (empty serviceId, no connectionId) to our destination.</summary>
    [Theory]
    [InlineData(EndKind.Engine)]
    [InlineData(EndKind.Cli)]
    public async Task OurDestinationServesAReferenceSourceInV1(EndKind destinationKind)
    {
        await OneStreamTraffic.RunAsync(Gateway, output, EndKind.Reference, destinationKind, "V1", ["SSH"]);
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
        await OneStreamTraffic.RunAsync(Gateway, output, sourceKind, EndKind.Reference, "V1", ["SSH"], destinationOptions: new EndOptions { DestinationClientType = "V1" });
    }
}
