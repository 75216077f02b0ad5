using System.Text.RegularExpressions;

namespace Gateway.Interop.Tests.Infrastructure;

/// <summary>A tunnel in the V1 or V2 format between two ends, carrying its traffic.</summary>
internal static class OneStreamTraffic
{
    /// <summary>
    /// V1/V2: one connection per stream, so the traffic is 64 KiB and 10 MB on one connection and
    /// then 1 MB on a second one after it (a new stream); no parallel connections.
    /// </summary>
    public static async Task RunAsync(TestGateway gateway, ITestOutputHelper output, EndKind sourceKind, EndKind destinationKind, string format, string[] services, EndOptions? destinationOptions = null)
    {
        using var echo = EchoServer.Start();
        var tunnel = await gateway.CreateTunnelAsync(services);
        await using var destination = await Ends.StartDestinationAsync(
            destinationKind, gateway, tunnel.DestinationAccessToken, $"{services[0]}=127.0.0.1:{echo.Port}", output, destinationOptions);
        await using var source = await Ends.StartSourceAsync(
            sourceKind, gateway, tunnel.SourceAccessToken, services, output, new EndOptions { DestinationClientType = format });

        int window = format == "V1" ? Traffic.V1Window : Traffic.Window;
        await Traffic.OneConnectionAsync(source.Port(), window);
        await echo.WaitIdleAsync();
        if (source.Process is { } process && sourceKind == EndKind.Reference)
        {
            // In V1/V2 the reference closes its listener when a connection ends and opens it again
            // (docs/protocol.md 8.2); a connect in between is reset.
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
