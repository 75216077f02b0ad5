using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using static Gateway.Api.Tests.Profiles.ProfileTestSupport;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// <c>POST /api/relay/tunnels</c> with <c>connect</c>: the gateway starts both ends of the new tunnel
/// as its own sessions (the demo / self-hosted pairing), on free or given source ports; errors name
/// <c>connect.*</c>; a failed pairing leaves no session running and the tunnel closed.
/// </summary>
public sealed class ConnectRelayPairingTests
{
    [Fact]
    public async Task ConnectStartsBothEndsAndBytesEchoThroughTheSourcePort()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var transcript = new Transcript();

        var created = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}" } }, HttpStatusCode.Created);
        Assert.Equal(["SSH"], created.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        var connected = created.GetProperty("sessions");
        string sourceId = connected.GetProperty("sourceSessionId").GetString()!;
        string destinationId = connected.GetProperty("destinationSessionId").GetString()!;
        Assert.NotEqual(sourceId, destinationId);
        var ports = connected.GetProperty("sourcePorts").EnumerateObject().ToList();
        var ssh = Assert.Single(ports);
        Assert.Equal("SSH", ssh.Name);
        int port = ssh.Value.GetInt32();
        Assert.InRange(port, 1024, 65535);

        var sessions = gateway.Sessions();
        await sessions.WaitReadyAsync(sourceId);
        await sessions.WaitReadyAsync(destinationId);
        using (var client = await LocalClient.ConnectAsync(port))
        {
            await client.EchoRandomAsync(64 * 1024);
        }

        Assert.Equal(1, echo.Accepted);
        var listed = (await http.GetJsonAsync("/api/tunnels", transcript: transcript)).EnumerateArray().ToList();
        Assert.Equal(
            new[] { destinationId, sourceId }.Order(StringComparer.Ordinal),
            listed.Select(s => s.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        var source = Assert.Single(listed, s => s.GetProperty("id").GetString() == sourceId);
        var destination = Assert.Single(listed, s => s.GetProperty("id").GetString() == destinationId);
        Assert.Equal("Source", source.GetProperty("mode").GetString());
        Assert.Equal("Destination", destination.GetProperty("mode").GetString());
        Assert.Equal("Connected", source.GetProperty("state").GetString());

        // The relay sees both ends of its tunnel connected.
        string tunnelId = created.GetProperty("tunnelId").GetString()!;
        var tunnel = await http.GetJsonAsync($"/api/relay/tunnels/{tunnelId}", transcript: transcript);
        Assert.Equal("Open", tunnel.GetProperty("state").GetString());

        // Only the creation answer shows the tokens.
        string[] tokens = [created.GetProperty("sourceAccessToken").GetString()!, created.GetProperty("destinationAccessToken").GetString()!];
        foreach (string token in tokens)
        {
            transcript.AssertNoneContains(token);
            gateway.Logs.AssertNeverLogged(token);
        }

        gateway.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task GivenSourcePortsAreUsedWhenFree()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();

        // Another test may take the free port first: 409 (tunnel closed, nothing left), try another.
        JsonElement created = default;
        int port = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            port = SessionHarness.FreePort();
            using var response = await http.PostAsJsonAsync("/api/relay/tunnels", new
            {
                services = new[] { "SSH" },
                connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}", sourcePorts = $"SSH={port}", bindAddress = "127.0.0.1" },
            });
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
            created = JsonDocument.Parse(text).RootElement.Clone();
            break;
        }

        Assert.Equal(JsonValueKind.Object, created.ValueKind);
        var connected = created.GetProperty("sessions");
        Assert.Equal(port, connected.GetProperty("sourcePorts").GetProperty("SSH").GetInt32());
        string sourceId = connected.GetProperty("sourceSessionId").GetString()!;
        string destinationId = connected.GetProperty("destinationSessionId").GetString()!;
        await gateway.Sessions().WaitReadyAsync(sourceId);
        await gateway.Sessions().WaitReadyAsync(destinationId);
        using var client = await LocalClient.ConnectAsync(port);
        await client.EchoRandomAsync(4096);
    }

    [Fact]
    public async Task AnEmptyServiceListMeansTheDestinationsServices()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();

        var created = await http.PostJsonAsync("/api/relay/tunnels", new { services = Array.Empty<string>(), connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}" } }, HttpStatusCode.Created);

        Assert.Equal(["SSH"], created.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("SSH", Assert.Single(created.GetProperty("sessions").GetProperty("sourcePorts").EnumerateObject()).Name);
        await gateway.Sessions().WaitReadyAsync(created.GetProperty("sessions").GetProperty("destinationSessionId").GetString()!);
    }

    [Fact]
    public async Task ConnectErrorsNameTheirFieldAndStartNothing()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = gateway.CreateClient();

        var unnamed = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = "22" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["connect.destinations"], ErrorFields(unnamed));

        var mismatch = await http.PostJsonAsync("/api/relay/tunnels", new { services = new[] { "WEB" }, connect = new { destinations = "SSH=127.0.0.1:22" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["connect.destinations"], ErrorFields(mismatch));
        Assert.Contains("WEB", Assert.Single(ErrorMessages(mismatch, "connect.destinations")), StringComparison.Ordinal);

        var unknownService = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = "SSH=127.0.0.1:22", sourcePorts = "WEB=40000" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["connect.sourcePorts"], ErrorFields(unknownService));

        var unnamedPort = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = "SSH=127.0.0.1:22", sourcePorts = "40000" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["connect.sourcePorts"], ErrorFields(unnamedPort));

        var badBind = await http.PostJsonAsync("/api/relay/tunnels", new { connect = new { destinations = "SSH=127.0.0.1:22", bindAddress = "not-an-ip" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["connect.bindAddress"], ErrorFields(badBind));

        // Refused bodies neither open a tunnel nor start a session.
        Assert.Empty((await http.GetJsonAsync("/api/relay/tunnels")).EnumerateArray());
        Assert.Empty(gateway.Sessions().List());
    }

    [Fact]
    public async Task ASourcePortInUseIsAConflictThatLeavesNoSessionRunningAndTheTunnelClosed()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var echo = EchoServer.Start();
        using var http = gateway.CreateClient();
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            int port = ((IPEndPoint)holder.LocalEndpoint).Port;
            var conflict = await http.PostJsonAsync("/api/relay/tunnels", new
            {
                connect = new { destinations = $"SSH=127.0.0.1:{echo.Port}", sourcePorts = $"SSH={port}" },
            }, HttpStatusCode.Conflict);
            Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
        }

        // The destination end had started: it was stopped again, and nothing else runs.
        var destination = Assert.Single(gateway.Sessions().List());
        Assert.Equal(SessionMode.Destination, destination.Mode);
        Assert.Equal(SessionState.Stopped, destination.State);
        var listed = Assert.Single((await http.GetJsonAsync("/api/tunnels")).EnumerateArray());
        Assert.Equal("Stopped", listed.GetProperty("state").GetString());

        var tunnel = Assert.Single((await http.GetJsonAsync("/api/relay/tunnels")).EnumerateArray());
        string tunnelId = tunnel.GetProperty("id").GetString()!;
        Assert.Equal("Closed", (await http.GetJsonAsync($"/api/relay/tunnels/{tunnelId}")).GetProperty("state").GetString());
        Assert.Equal(0, echo.Accepted);
    }

    [Fact]
    public async Task OnlyAnAdminMayConnectARelayTunnel()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var admin = gateway.CreateClient();
        var body = new { connect = new { destinations = "SSH=127.0.0.1:22" } };
        foreach (string role in new[] { "viewer", "operator" })
        {
            string key = (await admin.PostJsonAsync("/api/keys", new { name = $"pairing-{role}", role }, HttpStatusCode.Created)).GetProperty("key").GetString()!;
            using var client = gateway.CreateClient(key);
            using var response = await client.PostAsJsonAsync("/api/relay/tunnels", body);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Empty((await admin.GetJsonAsync("/api/relay/tunnels")).EnumerateArray());
        Assert.Empty(gateway.Sessions().List());
    }
}
