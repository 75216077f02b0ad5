using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using Microsoft.Extensions.Time.Testing;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// Streams reset when an end goes away, streams refused while the other end is absent, and the
/// end of a tunnel by DELETE or by expiry.
/// </summary>
public sealed class RelayLifecycleTests
{
    [Fact]
    public async Task SourceDropResetsTheDestinationsActiveStream()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        source.Socket.Abort();

        var reset = await destination.ReceiveAsync();
        Assert.Equal(MessageType.StreamReset, reset.Type);
        Assert.Equal(1, reset.StreamId);
        Assert.Equal("SSH", reset.ServiceId);
        Assert.Equal(TunnelMessages.StreamReset(1, "SSH"), reset);
        Assert.Equal(WebSocketState.Open, destination.Socket.State);
    }

    [Fact]
    public async Task DestinationDropResetsTheSourcesActiveStream()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());
        var data = TunnelMessages.Data(1, "SSH", 1, "banner"u8);
        await destination.SendAsync(data);
        Assert.Equal(data, await source.ReceiveAsync());

        destination.Socket.Abort();

        Assert.Equal(TunnelMessages.StreamReset(1, "SSH"), await source.ReceiveAsync());
        Assert.Equal(WebSocketState.Open, source.Socket.State);
    }

    [Fact]
    public async Task EndClosingNormallyAlsoResetsTheOtherEndsActiveStream()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        using (var cts = new CancellationTokenSource(TestGateway.Timeout))
        {
            await source.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        }

        Assert.Equal(TunnelMessages.StreamReset(1, "SSH"), await destination.ReceiveAsync());
    }

    [Fact]
    public async Task EveryActiveStreamIsResetOnceButStreamsAlreadyResetAreNot()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH", "WEB", "RDP");
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        // SSH: stream 1 replaced by stream 2. WEB: stream 1, reset by the destination. RDP: stream 5.
        Message[] fromSource = [TunnelMessages.StreamStart(1, "SSH", 1), TunnelMessages.StreamStart(2, "SSH", 2), TunnelMessages.StreamStart(1, "WEB", 1), TunnelMessages.StreamStart(5, "RDP", 1)];
        foreach (var message in fromSource)
        {
            await source.SendAsync(message);
            Assert.Equal(message, await destination.ReceiveAsync());
        }

        var webReset = TunnelMessages.StreamReset(1, "WEB");
        await destination.SendAsync(webReset);
        Assert.Equal(webReset, await source.ReceiveAsync());

        source.Socket.Abort();

        var resets = new List<Message> { await destination.ReceiveAsync(), await destination.ReceiveAsync() };
        Assert.Equal(
            [TunnelMessages.StreamReset(5, "RDP"), TunnelMessages.StreamReset(2, "SSH")],
            resets.OrderBy(m => m.ServiceId, StringComparer.Ordinal).ToList());

        // Nothing else is pending for the destination: the next frame it gets is new traffic.
        await using var again = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(MessageType.ServiceIds, (await again.ReceiveAsync()).Type);
        var next = TunnelMessages.StreamStart(3, "SSH", 3);
        await again.SendAsync(next);
        Assert.Equal(next, await destination.ReceiveAsync());
    }

    [Fact]
    public async Task StreamResetPassedThroughIsNotResetAgainWhenAnEndDrops()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());
        var reset = TunnelMessages.StreamReset(1, "SSH");
        await source.SendAsync(reset);
        Assert.Equal(reset, await destination.ReceiveAsync());

        source.Socket.Abort();

        // The source comes back and opens stream 2: the destination's next frame is that
        // STREAM_START, with no second STREAM_RESET for stream 1 before it.
        await using var again = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(MessageType.ServiceIds, (await again.ReceiveAsync()).Type);
        var next = TunnelMessages.StreamStart(2, "SSH", 2);
        await again.SendAsync(next);
        Assert.Equal(next, await destination.ReceiveAsync());
    }

    [Fact]
    public async Task SourceReplacedByAReconnectResetsTheDestinationsActiveStream()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        await using var again = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(MessageType.ServiceIds, (await again.ReceiveAsync()).Type);

        Assert.Equal(TunnelMessages.StreamReset(1, "SSH"), await destination.ReceiveAsync());
        var (status, reason) = await source.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public async Task StreamStartWithoutADestinationIsAnsweredWithStreamReset()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);

        await source.SendAsync(TunnelMessages.StreamStart(1, "SSH", 1));
        Assert.Equal(TunnelMessages.StreamReset(1, "SSH"), await source.ReceiveAsync());

        // DATA has nowhere to go and is dropped; the next stream is refused the same way.
        await source.SendAsync(TunnelMessages.Data(1, "SSH", 1, "lost"u8));
        await source.SendAsync(TunnelMessages.StreamStart(2, "SSH", 2));
        Assert.Equal(TunnelMessages.StreamReset(2, "SSH"), await source.ReceiveAsync());
        Assert.Equal(WebSocketState.Open, source.Socket.State);

        // A refused stream is not tracked: when a destination arrives and the source drops,
        // the destination gets nothing about streams 1 or 2.
        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await destination.ReceiveAsync()).Type);
        var live = TunnelMessages.StreamStart(3, "SSH", 3);
        await source.SendAsync(live);
        Assert.Equal(live, await destination.ReceiveAsync());
        source.Socket.Abort();
        Assert.Equal(TunnelMessages.StreamReset(3, "SSH"), await destination.ReceiveAsync());
    }

    [Fact]
    public async Task StreamStartAfterTheDestinationLeftIsAnsweredWithStreamReset()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        await destination.DisposeAsync();
        await RelayForwardingSupport.WaitForTunnelAsync(
            gateway, tunnel.TunnelId, t => !t.GetProperty("destination").GetProperty("connected").GetBoolean(), "the destination to be gone");

        await source.SendAsync(TunnelMessages.StreamStart(1, "SSH", 1));
        Assert.Equal(TunnelMessages.StreamReset(1, "SSH"), await source.ReceiveAsync());
    }

    [Fact]
    public async Task DeleteClosesBothEndsWithNormalClosureAndAReason()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var (source, destination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        using var client = gateway.CreateClient();
        using var response = await client.DeleteAsync(new Uri($"/api/relay/tunnels/{tunnel.TunnelId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deleted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Closed", deleted.Text("state"));

        var (sourceStatus, sourceReason) = await source.ReceiveCloseAsync();
        var (destinationStatus, destinationReason) = await destination.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, sourceStatus);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, destinationStatus);
        Assert.False(string.IsNullOrWhiteSpace(sourceReason), "no close reason for the source");
        Assert.False(string.IsNullOrWhiteSpace(destinationReason), "no close reason for the destination");

        var closed = await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId);
        Assert.Equal("Closed", closed.Text("state"));
        Assert.Equal(sourceReason, closed.Text("endReason"));
        Assert.NotNull(closed.Text("endedAt"));

        // Its tokens stop working, even for a reconnect with the right client token.
        Assert.Equal(HttpStatusCode.Gone, await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", tunnel.SourceAccessToken, sourceClientToken));
    }

    [Fact]
    public async Task DeleteOfAnUnknownTunnelIsNotFoundProblemDetails()
    {
        await using var gateway = await TestGateway.StartAsync();
        string id = Guid.NewGuid().ToString("D");

        using var client = gateway.CreateClient();
        using var response = await client.DeleteAsync(new Uri($"/api/relay/tunnels/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.Text("title")));
        Assert.Contains(id, problem.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TunnelExpiresAfterItsLifetimeAndBothEndsGetNormalClosure()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(time: time);
        var tunnel = await RelayForwardingSupport.CreateTunnelAsync(gateway, 1, "SSH");
        Assert.Equal(TimeSpan.FromMinutes(1), tunnel.ExpiresAt - tunnel.CreatedAt);
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        // Not a moment early.
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("Open", (await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId)).Text("state"));
        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        time.Advance(TimeSpan.FromSeconds(1));

        var (sourceStatus, sourceReason) = await source.ReceiveCloseAsync();
        var (destinationStatus, destinationReason) = await destination.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, sourceStatus);
        Assert.Equal("Tunnel expired", sourceReason);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, destinationStatus);
        Assert.Equal("Tunnel expired", destinationReason);

        var expired = await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId);
        Assert.Equal("Expired", expired.Text("state"));
        Assert.Equal("Tunnel expired", expired.Text("endReason"));
        Assert.Equal(HttpStatusCode.Gone, await RelayForwardingSupport.ConnectRefusedAsync(gateway, "destination", tunnel.DestinationAccessToken));
    }
}
