using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Microsoft.Extensions.Time.Testing;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// The single-use token rule of the AWS service (docs/protocol.md sections 3 and 16 item 4): the first
/// use burns a token, a later use is a reconnect only with the client token of the first use,
/// and a reconnect replaces the previous connection. A closed tunnel refuses every handshake.
/// </summary>
public sealed class RelayHandshakeTokenTests
{
    private const string TokenReusedBody = "Invalid access token: The access token was previously used and can not be used again.";
    private const string V3 = "aws.iot.securetunneling-3.0";

    private static readonly string ClientTokenA = "client-a-" + new string('a', 32);
    private static readonly string ClientTokenB = "client-b-" + new string('b', 32);

    [Fact]
    public async Task TokenUsedWithoutClientTokenIsRefusedAfterTheFirstConnectionEnded()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using (var first = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken)))
        {
            Assert.Equal(MessageType.ServiceIds, (await first.ReceiveAsync()).Type);
        }

        await WaitForConnectedAsync(gateway, tunnel.TunnelId, "source", connected: false);

        await using var second = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken);
        AssertTokenReused(second);
    }

    [Fact]
    public async Task TokenUsedWithoutClientTokenIsRefusedWhileTheFirstConnectionIsOpenAndThatConnectionStays()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceSocket = source;
        await using var destinationSocket = destination;

        await using (var second = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken))
        {
            AssertTokenReused(second);
        }

        await using (var secondDestination = await ConnectRawAsync(gateway, "destination", tunnel.DestinationAccessToken))
        {
            AssertTokenReused(secondDestination);
        }

        // The refused attempts did not disturb the connected ends.
        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TokenFirstUsedWithClientTokenIsRefusedWithAnotherClientTokenOrNone(bool withOtherClientToken)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var first = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, ClientTokenA));
        Assert.Equal(MessageType.ServiceIds, (await first.ReceiveAsync()).Type);

        // While the first connection is open, and again after it ended.
        await using (var whileOpen = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken, withOtherClientToken ? ClientTokenB : null))
        {
            AssertTokenReused(whileOpen);
        }

        Assert.Equal(WebSocketState.Open, first.Socket.State);
        await first.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TestGateway.Timeout);
        await WaitForConnectedAsync(gateway, tunnel.TunnelId, "source", connected: false);

        await using (var afterClose = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken, withOtherClientToken ? ClientTokenB : null))
        {
            AssertTokenReused(afterClose);
        }

        // The refusals did not change the remembered client token.
        await using var reconnected = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, ClientTokenA));
        Assert.Equal(MessageType.ServiceIds, (await reconnected.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task ReconnectWithTheSameClientTokenAfterDisconnectIsAccepted()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        for (int attempt = 0; attempt < 3; attempt++)
        {
            await using (var connection = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken, ClientTokenA)))
            {
                Assert.Equal(["SSH"], (await connection.ReceiveAsync()).AvailableServiceIds);
                Assert.NotNull(connection.Socket.HttpResponseHeaders?["channel-id"]);
            }

            await WaitForConnectedAsync(gateway, tunnel.TunnelId, "destination", connected: false);
        }
    }

    [Fact]
    public async Task ReconnectWithTheSameClientTokenWhileOpenIsAcceptedAndTheOldConnectionGetsACloseFrame()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var old = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, ClientTokenA));
        Assert.Equal(MessageType.ServiceIds, (await old.ReceiveAsync()).Type);

        await using var raw = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken, ClientTokenA);

        Assert.Equal(101, raw.StatusCode);
        Assert.Equal(V3, raw.Header("Sec-WebSocket-Protocol"));
        Assert.False(string.IsNullOrEmpty(raw.Header("channel-id")));
        var (status, _) = await old.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal(WebSocketState.CloseReceived, old.Socket.State);
    }

    [Fact]
    public async Task ReplacedConnectionResetsItsStreamsAndTheNewOneGetsServiceIdsFirst()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (oldSource, destination) = await gateway.ConnectPairAsync(tunnel, ClientTokenA, ClientTokenB);
        await using var oldSourceSocket = oldSource;
        await using var destinationSocket = destination;
        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await oldSource.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        await using var newSource = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, ClientTokenA));

        var first = await newSource.ReceiveAsync();
        Assert.Equal(MessageType.ServiceIds, first.Type);
        Assert.Equal(["SSH"], first.AvailableServiceIds);
        var reset = await destination.ReceiveAsync();
        Assert.Equal(MessageType.StreamReset, reset.Type);
        Assert.Equal(1, reset.StreamId);
        Assert.Equal("SSH", reset.ServiceId);
        var (status, _) = await oldSource.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);

        // The new source is the one the destination now talks to.
        var again = TunnelMessages.StreamStart(2, "SSH", 1);
        await newSource.SendAsync(again);
        Assert.Equal(again, await destination.ReceiveAsync());
    }

    [Fact]
    public async Task ClosedTunnelRefusesHandshakesWith410()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, ClientTokenA));
        Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);

        using (var client = gateway.CreateClient())
        {
            var response = await client.DeleteAsync($"/api/relay/tunnels/{tunnel.TunnelId}");
            response.EnsureSuccessStatusCode();
        }

        // Neither a reconnect with the client token nor the unused destination token gets in.
        await using (var reconnect = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken, ClientTokenA))
        {
            AssertRejected(reconnect, 410, "closed");
        }

        await using var unused = await ConnectRawAsync(gateway, "destination", tunnel.DestinationAccessToken);
        AssertRejected(unused, 410, "closed");
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
        gateway.Logs.AssertNeverLogged(tunnel.DestinationAccessToken);
        gateway.Logs.AssertNeverLogged(ClientTokenA);
    }

    [Fact]
    public async Task ExpiredTunnelRefusesHandshakesWith410()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time);
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        time.Advance(tunnel.ExpiresAt - tunnel.CreatedAt + TimeSpan.FromMinutes(1));
        await WaitForStateAsync(gateway, tunnel.TunnelId, "Expired");

        await using var raw = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken);
        AssertRejected(raw, 410, "expired");
    }

    [Fact]
    public async Task TokensOfReuseAndReplacementNeverAppearInTheLogs()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, ClientTokenA);
        await using var sourceSocket = source;
        await using var destinationSocket = destination;

        await using (var replacement = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken, ClientTokenA))
        {
            Assert.Equal(101, replacement.StatusCode);
        }

        await using (var refused = await ConnectRawAsync(gateway, "source", tunnel.SourceAccessToken, ClientTokenB))
        {
            AssertTokenReused(refused);
        }

        await using (var refusedDestination = await ConnectRawAsync(gateway, "destination", tunnel.DestinationAccessToken, ClientTokenB))
        {
            AssertTokenReused(refusedDestination);
        }

        Assert.Contains(gateway.Logs.Lines, line => line.Message.Contains(TokenReusedBody, StringComparison.Ordinal));
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
        gateway.Logs.AssertNeverLogged(tunnel.DestinationAccessToken);
        gateway.Logs.AssertNeverLogged(ClientTokenA);
        gateway.Logs.AssertNeverLogged(ClientTokenB);
    }

    private static Task<RawWebSocket> ConnectRawAsync(TestGateway gateway, string mode, string accessToken, string? clientToken = null)
    {
        var headers = RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", V3), ("access-token", accessToken));
        if (clientToken is not null)
        {
            headers.Add(("client-token", clientToken));
        }

        return RawWebSocket.ConnectAsync(gateway, $"/tunnel?local-proxy-mode={mode}", headers);
    }

    private static void AssertTokenReused(RawWebSocket raw)
    {
        AssertRejected(raw, 400);
        Assert.Equal(TokenReusedBody, raw.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(TokenReusedBody).ToString(System.Globalization.CultureInfo.InvariantCulture), raw.Header("Content-Length"));
    }

    /// <summary>A complete HTTP rejection: status, channel-id, Content-Length of the body, body naming the problem.</summary>
    private static void AssertRejected(RawWebSocket raw, int status, params string[] bodyMentions)
    {
        Assert.Equal(status, raw.StatusCode);
        Assert.False(string.IsNullOrEmpty(raw.Header("channel-id")), "a rejection must carry a channel-id header");
        var contentLength = raw.Header("Content-Length");
        Assert.NotNull(contentLength);
        Assert.NotEmpty(raw.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(raw.Body), int.Parse(contentLength, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var mention in bodyMentions)
        {
            Assert.Contains(mention, raw.Body, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Polls the tunnel API until the tunnel's <c>state</c> has the wanted value.</summary>
    private static async Task WaitForStateAsync(TestGateway gateway, string tunnelId, string state)
    {
        using var client = gateway.CreateClient();
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var json = await client.GetStringAsync($"/api/relay/tunnels/{tunnelId}");
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.GetProperty("state").GetString() == state)
            {
                return;
            }

            Assert.True(elapsed.Elapsed < TestGateway.Timeout, $"the tunnel did not reach state {state} within {TestGateway.Timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Polls the tunnel API until the end's <c>connected</c> flag has the wanted value.</summary>
    private static async Task WaitForConnectedAsync(TestGateway gateway, string tunnelId, string end, bool connected)
    {
        using var client = gateway.CreateClient();
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var json = await client.GetStringAsync($"/api/relay/tunnels/{tunnelId}");
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.GetProperty(end).GetProperty("connected").GetBoolean() == connected)
            {
                return;
            }

            Assert.True(elapsed.Elapsed < TestGateway.Timeout, $"the {end} end did not become connected={connected} within {TestGateway.Timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}
