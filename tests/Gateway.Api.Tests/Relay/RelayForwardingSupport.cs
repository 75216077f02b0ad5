using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.Api.Relay;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Relay;

/// <summary>Private helpers of the relay forwarding and lifecycle tests (REST look-ups, bounded receives).</summary>
internal static class RelayForwardingSupport
{
    /// <summary>How long to watch for something that must not arrive.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>A client token as the reference proxy accepts it: 32-128 of [a-zA-Z0-9-].</summary>
    public static string NewClientToken() => $"relay-test-{Guid.NewGuid():N}";

    /// <summary>Creates a tunnel through the REST API with an explicit lifetime.</summary>
    public static async Task<CreatedRelayTunnelResponse> CreateTunnelAsync(TestGateway gateway, int lifetimeMinutes, params string[] services)
    {
        using var client = gateway.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/relay/tunnels", new { services, lifetimeMinutes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedRelayTunnelResponse>())!;
    }

    /// <summary>GET /api/relay/tunnels/{id} as JSON.</summary>
    public static async Task<JsonElement> GetTunnelAsync(TestGateway gateway, string id)
    {
        using var client = gateway.CreateClient();
        using var response = await client.GetAsync(new Uri($"/api/relay/tunnels/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls GET /api/relay/tunnels/{id} until <paramref name="condition"/> holds (bounded).</summary>
    public static async Task<JsonElement> WaitForTunnelAsync(TestGateway gateway, string id, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (true)
        {
            var tunnel = await GetTunnelAsync(gateway, id);
            if (condition(tunnel))
            {
                return tunnel;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last answer: {tunnel}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20)); // poll interval of a bounded wait
        }
    }

    public static long Long(this JsonElement element, string property) => element.GetProperty(property).GetInt64();

    public static string? Text(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The next whole WebSocket message, failing on close or after the test timeout.</summary>
    public static async Task<byte[]> ReceiveMessageAsync(this TunnelSocket socket)
    {
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        var message = await socket.ReceiveMessageAsync(cts.Token);
        Assert.True(message is not null, $"WebSocket closed ({socket.Socket.CloseStatus} '{socket.Socket.CloseStatusDescription}') while a message was expected");
        return message;
    }

    /// <summary>The next frame from the server, or null when nothing arrived within <see cref="QuietPeriod"/>.</summary>
    public static async Task<RawFrame?> ReceiveFrameOrNothingAsync(this RawWebSocket socket)
    {
        try
        {
            return await socket.ReceiveFrameAsync(QuietPeriod);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Opens a frame-level WebSocket as <paramref name="mode"/> and checks the upgrade was accepted.</summary>
    public static async Task<RawWebSocket> ConnectRawAsync(TestGateway gateway, string mode, string accessToken)
    {
        var socket = await RawWebSocket.ConnectAsync(
            gateway,
            $"/tunnel?local-proxy-mode={mode}",
            RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", "aws.iot.securetunneling-3.0"), ("access-token", accessToken)));
        Assert.Equal(101, socket.StatusCode);
        return socket;
    }

    /// <summary>
    /// Tries an upgrade that must be refused: ClientWebSocket throws, and the HTTP status it saw
    /// is returned.
    /// </summary>
    public static async Task<HttpStatusCode> ConnectRefusedAsync(TestGateway gateway, string mode, string accessToken, string? clientToken = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = gateway.ValidateCertificate;
        socket.Options.AddSubProtocol("aws.iot.securetunneling-3.0");
        socket.Options.SetRequestHeader("access-token", accessToken);
        if (clientToken is not null)
        {
            socket.Options.SetRequestHeader("client-token", clientToken);
        }

        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(TestGateway.Timeout);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(gateway.TunnelUri(mode), cts.Token));
        return socket.HttpStatusCode;
    }

    /// <summary>True when the file starts with the SQLite 3 header.</summary>
    public static bool IsSqliteFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var head = new byte[SqliteHeader.Length];
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.AsSpan().SequenceEqual(SqliteHeader);
    }
}
