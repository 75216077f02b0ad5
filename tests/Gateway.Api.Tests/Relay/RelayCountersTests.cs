using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;

namespace Gateway.Api.Tests.Relay;

public sealed class RelayCountersTests
{
    [Fact]
    public async Task ByteCountersOfAnOpenTunnelSurviveARestart()
    {
        var dataDirectory = TestGateway.NewDataDirectory();
        var clientToken = new string('c', 40);
        string id;
        long relayed;
        await using (var gateway = await TestGateway.StartAsync(dataDirectory))
        {
            var tunnel = await gateway.CreateTunnelAsync("SSH");
            id = tunnel.TunnelId;
            var (source, destination) = await gateway.ConnectPairAsync(tunnel, clientToken, clientToken.Replace('c', 'd'));
            await using (source)
            await using (destination)
            {
                var start = FrameWriter.ToArray(TunnelMessages.StreamStart(1, "SSH", 1));
                await source.SendRawAsync(start);
                await destination.ReceiveAsync();
                relayed = start.Length;
            }
        }

        await using var restarted = await TestGateway.StartAsync(dataDirectory);
        using var client = restarted.CreateClient();
        using var tunnelJson = JsonDocument.Parse(await client.GetStringAsync($"/api/relay/tunnels/{id}"));
        Assert.Equal("Open", tunnelJson.RootElement.GetProperty("state").GetString());
        Assert.Equal(relayed, tunnelJson.RootElement.GetProperty("bytesSourceToDestination").GetInt64());
    }
}
