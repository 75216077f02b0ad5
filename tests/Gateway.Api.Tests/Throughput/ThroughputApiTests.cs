using System.Net;
using Gateway.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Throughput;

/// <summary><c>GET /api/tunnels/{id}/throughput</c> on a real gateway whose clock is a <see cref="FakeTimeProvider"/>: real bytes, sampled when the test moves the clock.</summary>
public sealed class ThroughputApiTests
{
    [Fact]
    public async Task TheBytesOfADemoTunnelAppearAsRatesForEachRangeAndBadRangesAre400()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time);
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var created = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}" } }, HttpStatusCode.Created);
        string sourceId = created.GetProperty("sessions").GetProperty("sourceSessionId").GetString()!;
        int port = created.GetProperty("sessions").GetProperty("sourcePorts").GetProperty("SSH").GetInt32();
        await gateway.Sessions().WaitReadyAsync(sourceId);
        await gateway.Sessions().WaitReadyAsync(created.GetProperty("sessions").GetProperty("destinationSessionId").GetString()!);

        // Nothing sampled yet: no points.
        var before = await http.GetJsonAsync($"/api/tunnels/{sourceId}/throughput");
        Assert.Equal("1h", before.GetProperty("range").GetString());
        Assert.Empty(before.GetProperty("t").EnumerateArray());

        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoRandomAsync(10_000);
        }

        await gateway.Sessions().WaitForAsync(sourceId, s => s.BytesToTunnel == 10_000 && s.BytesFromTunnel == 10_000);
        time.Advance(TimeSpan.FromSeconds(5));

        var hour = await http.GetJsonAsync($"/api/tunnels/{sourceId}/throughput?range=1h");
        Assert.Equal(5, hour.GetProperty("resolutionSeconds").GetInt32());
        Assert.Equal(2000.0, Assert.Single(hour.GetProperty("toTunnel").EnumerateArray()).GetDouble());
        Assert.Equal(2000.0, Assert.Single(hour.GetProperty("fromTunnel").EnumerateArray()).GetDouble());
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds() / 5 * 5, Assert.Single(hour.GetProperty("t").EnumerateArray()).GetInt64());

        var day = await http.GetJsonAsync($"/api/tunnels/{sourceId}/throughput?range=24h");
        Assert.Equal(60, day.GetProperty("resolutionSeconds").GetInt32());
        Assert.Equal(10_000.0 / 60, Assert.Single(day.GetProperty("toTunnel").EnumerateArray()).GetDouble(), 3);

        var bad = await http.GetJsonAsync($"/api/tunnels/{sourceId}/throughput?range=2y", HttpStatusCode.BadRequest);
        Assert.Contains("15m, 1h, 6h, 24h, 7d", ErrorMessages(bad, "range")[0], StringComparison.Ordinal);
        await http.GetJsonAsync("/api/tunnels/nosuchsession/throughput", HttpStatusCode.NotFound);
    }
}
