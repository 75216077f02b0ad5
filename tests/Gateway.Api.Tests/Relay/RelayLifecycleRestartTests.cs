using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Microsoft.Extensions.Time.Testing;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// A gateway restart on the same database: connections drop without a close frame (so the
/// reference proxy reconnects), tunnels and their token state survive, expiry keeps counting.
/// </summary>
public sealed class RelayLifecycleRestartTests
{
    [Fact]
    public async Task ShutdownDropsConnectionsWithoutACloseFrameAndTheTunnelSurvivesTheRestart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var firstRun = new GatewayRun(await TestGateway.StartAsync(dataDirectory));
        await using var firstRunOwner = firstRun;
        var tunnel = await firstRun.Gateway.CreateTunnelAsync("SSH", "WEB");
        await using var source = new TunnelSocket(await firstRun.Gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(TunnelMessages.ServiceIds(["SSH", "WEB"]), await source.ReceiveAsync());

        var dropped = source.ReceiveCloseAsync();
        await firstRun.DisposeAsync();
        var (status, reason) = await dropped;
        Assert.True(status is null, $"the relay sent a close frame on shutdown ({status} '{reason}'); the reference proxy would exit instead of reconnecting");
        Assert.Null(source.Socket.CloseStatus);
        Assert.NotEqual(WebSocketState.Closed, source.Socket.State);

        await using var gateway = await TestGateway.StartAsync(dataDirectory);

        // The listing still has the tunnel, open, with the source token burned.
        using (var client = gateway.CreateClient())
        {
            var list = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/relay/tunnels", UriKind.Relative));
            var listed = Assert.Single(list.EnumerateArray(), t => t.Text("id") == tunnel.TunnelId);
            Assert.Equal("Open", listed.Text("state"));
            Assert.Equal(["SSH", "WEB"], listed.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
            Assert.True(listed.GetProperty("source").GetProperty("tokenUsed").GetBoolean());
            Assert.False(listed.GetProperty("source").GetProperty("connected").GetBoolean());
            Assert.False(listed.GetProperty("destination").GetProperty("tokenUsed").GetBoolean());
        }

        // The burned token needs its client token, as before the restart.
        Assert.Equal(HttpStatusCode.BadRequest, await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", tunnel.SourceAccessToken));
        await Assert.ThrowsAsync<WebSocketException>(() => gateway.ConnectAsync("source", tunnel.SourceAccessToken));
        Assert.Equal(
            HttpStatusCode.BadRequest,
            await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", tunnel.SourceAccessToken, RelayForwardingSupport.NewClientToken()));

        await using var again = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(FrameWriter.ToArray(TunnelMessages.ServiceIds(["SSH", "WEB"])), await again.ReceiveMessageAsync());
        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(TunnelMessages.ServiceIds(["SSH", "WEB"]), await destination.ReceiveAsync());
        var start = TunnelMessages.StreamStart(1, "WEB", 1);
        await again.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        var databases = Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories).Where(RelayForwardingSupport.IsSqliteFile).ToList();
        Assert.NotEmpty(databases);
    }

    [Fact]
    public async Task ATunnelWhoseEndsRanOnTheGatewayIsClosedAtTheNextStart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        using var echo = EchoServer.Start();
        string paired;
        string plain;
        await using (var first = await TestGateway.StartAsync(dataDirectory))
        {
            using var client = first.CreateClient();
            using var created = await client.PostAsJsonAsync("/api/relay/tunnels", new { connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            paired = body.Text("tunnelId")!;
            await first.Sessions().WaitReadyAsync(body.GetProperty("sessions").Text("sourceSessionId")!);
            plain = (await first.CreateTunnelAsync("SSH")).TunnelId;
        }

        // Its ends were sessions of that run, and their tokens went with them.
        await using var gateway = await TestGateway.StartAsync(dataDirectory);
        using var admin = gateway.CreateClient();
        Assert.Equal("Closed", (await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/relay/tunnels/{paired}", UriKind.Relative))).Text("state"));
        Assert.Equal("Open", (await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/relay/tunnels/{plain}", UriKind.Relative))).Text("state"));
        Assert.Contains(gateway.Logs.Lines, l => l.EventId == 3605 && l.Message.Contains(paired, StringComparison.Ordinal));
        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task BothEndsReconnectAfterARestartAndRelayAgain()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        string destinationClientToken = RelayForwardingSupport.NewClientToken();
        var firstRun = new GatewayRun(await TestGateway.StartAsync(dataDirectory));
        await using var firstRunOwner = firstRun;
        var tunnel = await firstRun.Gateway.CreateTunnelAsync("SSH");
        var (source, destination) = await firstRun.Gateway.ConnectPairAsync(tunnel, sourceClientToken, destinationClientToken);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;
        var start = TunnelMessages.StreamStart(1, "SSH", 1);
        await source.SendAsync(start);
        Assert.Equal(start, await destination.ReceiveAsync());

        var sourceDropped = source.ReceiveCloseAsync();
        var destinationDropped = destination.ReceiveCloseAsync();
        await firstRun.DisposeAsync();
        Assert.Null((await sourceDropped).Status);
        Assert.Null((await destinationDropped).Status);

        await using var gateway = await TestGateway.StartAsync(dataDirectory);
        var (newSource, newDestination) = await gateway.ConnectPairAsync(tunnel, sourceClientToken, destinationClientToken);
        await using var newSourceOwner = newSource;
        await using var newDestinationOwner = newDestination;
        var restart = TunnelMessages.StreamStart(2, "SSH", 2);
        await newSource.SendAsync(restart);
        Assert.Equal(restart, await newDestination.ReceiveAsync());
        var data = TunnelMessages.Data(2, "SSH", 2, "after restart"u8);
        await newDestination.SendAsync(data);
        Assert.Equal(data, await newSource.ReceiveAsync());
    }

    [Fact]
    public async Task ClosedTunnelStaysClosedAfterARestart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        string sourceClientToken = RelayForwardingSupport.NewClientToken();
        var firstRun = new GatewayRun(await TestGateway.StartAsync(dataDirectory));
        await using var firstRunOwner = firstRun;
        var tunnel = await firstRun.Gateway.CreateTunnelAsync("SSH");
        await using (var source = new TunnelSocket(await firstRun.Gateway.ConnectAsync("source", tunnel.SourceAccessToken, sourceClientToken)))
        {
            Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);
        }

        using (var client = firstRun.Gateway.CreateClient())
        {
            using var response = await client.DeleteAsync(new Uri($"/api/relay/tunnels/{tunnel.TunnelId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await firstRun.DisposeAsync();

        await using var gateway = await TestGateway.StartAsync(dataDirectory);
        var closed = await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId);
        Assert.Equal("Closed", closed.Text("state"));
        Assert.False(string.IsNullOrWhiteSpace(closed.Text("endReason")));
        Assert.Equal(HttpStatusCode.Gone, await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", tunnel.SourceAccessToken, sourceClientToken));
        Assert.Equal(HttpStatusCode.Gone, await RelayForwardingSupport.ConnectRefusedAsync(gateway, "destination", tunnel.DestinationAccessToken));
    }

    [Fact]
    public async Task TunnelThatExpiredWhileTheGatewayWasDownIsExpiredAfterTheRestart()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        var start = DateTimeOffset.UtcNow;
        var firstRun = new GatewayRun(await TestGateway.StartAsync(dataDirectory, new FakeTimeProvider(start)));
        await using var firstRunOwner = firstRun;
        var tunnel = await RelayForwardingSupport.CreateTunnelAsync(firstRun.Gateway, 1, "SSH");
        await firstRun.DisposeAsync();

        await using var gateway = await TestGateway.StartAsync(dataDirectory, new FakeTimeProvider(start.AddMinutes(2)));
        var expired = await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId);
        Assert.Equal("Expired", expired.Text("state"));
        Assert.Equal("Tunnel expired", expired.Text("endReason"));
        Assert.Equal(HttpStatusCode.Gone, await RelayForwardingSupport.ConnectRefusedAsync(gateway, "source", tunnel.SourceAccessToken));
    }

    [Fact]
    public async Task RestoredTunnelStillExpiresAtItsOriginalTime()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        var start = DateTimeOffset.UtcNow;
        var firstRun = new GatewayRun(await TestGateway.StartAsync(dataDirectory, new FakeTimeProvider(start)));
        await using var firstRunOwner = firstRun;
        var tunnel = await RelayForwardingSupport.CreateTunnelAsync(firstRun.Gateway, 2, "SSH");
        await firstRun.DisposeAsync();

        var time = new FakeTimeProvider(start.AddMinutes(1));
        await using var gateway = await TestGateway.StartAsync(dataDirectory, time);
        var (source, destination) = await gateway.ConnectPairAsync(tunnel);
        await using var sourceOwner = source;
        await using var destinationOwner = destination;

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("Open", (await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId)).Text("state"));

        time.Advance(TimeSpan.FromSeconds(1));
        var (sourceStatus, sourceReason) = await source.ReceiveCloseAsync();
        var (destinationStatus, destinationReason) = await destination.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, sourceStatus);
        Assert.Equal("Tunnel expired", sourceReason);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, destinationStatus);
        Assert.Equal("Tunnel expired", destinationReason);
        Assert.Equal("Expired", (await RelayForwardingSupport.GetTunnelAsync(gateway, tunnel.TunnelId)).Text("state"));
    }

    /// <summary>A gateway that a test stops midway; disposing it again (or on failure) is safe.</summary>
    private sealed class GatewayRun(TestGateway gateway) : IAsyncDisposable
    {
        private TestGateway? _gateway = gateway;

        public TestGateway Gateway => _gateway ?? throw new ObjectDisposedException(nameof(GatewayRun));

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _gateway, null) is { } running)
            {
                await running.DisposeAsync();
            }
        }
    }
}
