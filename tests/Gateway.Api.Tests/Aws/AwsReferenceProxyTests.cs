using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Aws;

/// <summary>
/// The end to end: a tunnel opened with the AWS CLI, both ends run by the reference proxy
/// with the returned tokens, traffic, both ends CONNECTED, a SOURCE rotation (the old source gets
/// a close frame and exits 0, the old token is refused, the new one connects and carries traffic), then CloseTunnel: both references exit 0.
/// </summary>
public sealed class AwsReferenceProxyTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TokensFromTheCliWorkInTheReferenceProxyThroughRotationAndClose()
    {
        string reference = ReferenceProxy.BinaryPath;
        Assert.NotNull(reference);
        await using var gateway = await TestGateway.StartAsync();
        using var aws = new AwsCli(gateway, await AwsTestKeys.CreateAsync(gateway, "operator"));
        using var echo = EchoServer.Start();

        var (code, opened, error) = await aws.RunAsync("open-tunnel", "--destination-config", "thingName=pump-17,services=SSH");
        Assert.True(code == 0, error);
        string id = opened!.Value.GetProperty("tunnelId").GetString()!;

        await using var destination = ReferenceProxy.Start(gateway, opened.Value.GetProperty("destinationAccessToken").GetString()!, "-d", $"SSH=127.0.0.1:{echo.Port}");
        int sourcePort = Gateway.Testing.Tcp.FreePort();
        var source = ReferenceProxy.Start(gateway, opened.Value.GetProperty("sourceAccessToken").GetString()!, "-s", $"SSH={sourcePort}");
        try
        {
            // Traffic before both ends are attached is dropped by the relay (as by AWS): wait for both.
            await WaitBothConnectedAsync(gateway, id, source, destination);
            using (var client = await source.ConnectToSourceAsync(sourcePort))
            {
                await client.EchoAsync(RandomNumberGenerator.GetBytes(64 * 1024));
            }

            var tunnel = await DescribeAsync(aws, id);
            Assert.Equal("CONNECTED", tunnel.GetProperty("sourceConnectionState").GetProperty("status").GetString());
            Assert.Equal("CONNECTED", tunnel.GetProperty("destinationConnectionState").GetProperty("status").GetString());

            (code, var rotated, error) = await aws.RunAsync("rotate-tunnel-access-token", "--tunnel-id", id, "--client-mode", "SOURCE");
            Assert.True(code == 0, error);

            // The old source got the close frame (1008) and exits as the reference does on a close;
            // its token no longer opens the tunnel.
            Assert.True(await source.WaitForExitAsync(Exit) == 0, source.Output);
            Assert.Contains("Code: 1008", source.Output, StringComparison.Ordinal);
            await source.DisposeAsync();
            await Assert.ThrowsAnyAsync<System.Net.WebSockets.WebSocketException>(() => gateway.ConnectAsync("source", opened.Value.GetProperty("sourceAccessToken").GetString()!));

            sourcePort = Gateway.Testing.Tcp.FreePort();
            source = ReferenceProxy.Start(gateway, rotated!.Value.GetProperty("sourceAccessToken").GetString()!, "-s", $"SSH={sourcePort}");
            await WaitBothConnectedAsync(gateway, id, source, destination);
            using (var client = await source.ConnectToSourceAsync(sourcePort))
            {
                await client.EchoAsync(RandomNumberGenerator.GetBytes(64 * 1024));
            }

            (code, _, error) = await aws.RunAsync("close-tunnel", "--tunnel-id", id);
            Assert.True(code == 0, error);
            Assert.True(await source.WaitForExitAsync(Exit) == 0, source.Output);
            Assert.True(await destination.WaitForExitAsync(Exit) == 0, destination.Output);
        }
        finally
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }
        }
    }

    private static async Task WaitBothConnectedAsync(TestGateway gateway, string id, ReferenceProxy source, ReferenceProxy destination)
    {
        using var client = gateway.CreateClient();
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (true)
        {
            var tunnel = await client.GetFromJsonAsync<JsonElement>($"/api/relay/tunnels/{id}");
            if (tunnel.GetProperty("source").GetProperty("connected").GetBoolean() && tunnel.GetProperty("destination").GetProperty("connected").GetBoolean())
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline && !source.HasExited && !destination.HasExited,
                $"Both ends did not connect in time.\nsource:\n{source.Output}\ndestination:\n{destination.Output}");

            // Polls the relay's state with a deadline: the reference says nothing machine-readable when it connects.
            await Task.Delay(50);
        }
    }

    private static async Task<JsonElement> DescribeAsync(AwsCli aws, string id)
    {
        var (code, described, error) = await aws.RunAsync("describe-tunnel", "--tunnel-id", id);
        Assert.True(code == 0, error);
        return described!.Value.GetProperty("tunnel");
    }
}
