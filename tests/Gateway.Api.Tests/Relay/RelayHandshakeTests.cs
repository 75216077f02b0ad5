using System.Buffers;
using System.Text;
using Gateway.Api.Tests.Infrastructure;
using Gateway.Engine.Protocol;
using Gateway.Engine.Protocol.Wire;
using MessageType = Gateway.Engine.Protocol.Wire.Message.Types.Type;

namespace Gateway.Api.Tests.Relay;

/// <summary>
/// The request-level rules of <c>GET /tunnel</c> (docs/protocol.md sections 1-3 and 16): token forms,
/// mode, path, request size, subprotocol and client-token format, each answered with a complete
/// HTTP response (status, a body saying what is wrong, Content-Length, channel-id).
/// </summary>
public sealed class RelayHandshakeTests
{
    private const string V1 = "aws.iot.securetunneling-1.0";
    private const string V2 = "aws.iot.securetunneling-2.0";
    private const string V3 = "aws.iot.securetunneling-3.0";
    private const string SourceTarget = "/tunnel?local-proxy-mode=source";
    private const string DestinationTarget = "/tunnel?local-proxy-mode=destination";

    [Fact]
    public async Task MissingAccessTokenIsRejectedWith401()
    {
        await using var gateway = await TestGateway.StartAsync();

        await using var raw = await RawWebSocket.ConnectAsync(gateway, SourceTarget, RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", V3)));

        AssertRejected(raw, 401, "access token", "access-token");
    }

    [Fact]
    public async Task UnknownAccessTokenIsRejectedWith401()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(gateway, SourceTarget, ("access-token", "no-such-token-" + Guid.NewGuid().ToString("N")));

        AssertRejected(raw, 401, "Invalid access token");
    }

    [Fact]
    public async Task EmptyAccessTokenIsRejectedWith401()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(gateway, SourceTarget, ("access-token", string.Empty));

        AssertRejected(raw, 401, "access token");
    }

    [Fact]
    public async Task AccessTokenInHeaderAndCookieAtOnceIsRejectedWith400()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(
            gateway,
            SourceTarget,
            ("access-token", tunnel.SourceAccessToken),
            ("Cookie", $"awsiot-tunnel-token={tunnel.SourceAccessToken}"));

        AssertRejected(raw, 400, "one access token", "access-token", "awsiot-tunnel-token");
    }

    [Fact]
    public async Task TwoAccessTokenHeadersAreRejectedWith400()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(
            gateway,
            SourceTarget,
            ("access-token", tunnel.SourceAccessToken),
            ("access-token", tunnel.SourceAccessToken));

        AssertRejected(raw, 400, "one access token", "access-token");
    }

    [Fact]
    public async Task TwoAccessTokenCookiesAreRejectedWith400()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(
            gateway,
            SourceTarget,
            ("Cookie", $"awsiot-tunnel-token={tunnel.SourceAccessToken}; awsiot-tunnel-token={tunnel.SourceAccessToken}"));

        AssertRejected(raw, 400, "one access token", "awsiot-tunnel-token");
    }

    [Fact]
    public async Task AccessTokenCookieAloneIsAcceptedAndThePeerReceivesServiceIds()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH", "WEB");

        await using var raw = await ConnectRawAsync(
            gateway,
            SourceTarget,
            ("Cookie", $"theme=dark; awsiot-tunnel-token={tunnel.SourceAccessToken}"));

        Assert.Equal(101, raw.StatusCode);
        Assert.Equal(V3, raw.Header("Sec-WebSocket-Protocol"));
        Assert.False(string.IsNullOrEmpty(raw.Header("channel-id")));
        var serviceIds = await ReceiveTunnelMessageAsync(raw);
        Assert.Equal(MessageType.ServiceIds, serviceIds.Type);
        Assert.Equal(["SSH", "WEB"], serviceIds.AvailableServiceIds);
    }

    [Fact]
    public async Task SourceTokenInDestinationModeIsRejectedWith400NamingBothModesAndIsNotBurned()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using (var raw = await ConnectRawAsync(gateway, DestinationTarget, ("access-token", tunnel.SourceAccessToken)))
        {
            AssertRejected(raw, 400, "source", "destination");
        }

        // The refused attempt did not use up the token: the right mode still gets in.
        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task DestinationTokenInSourceModeIsRejectedWith400NamingBothModes()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(gateway, SourceTarget, ("access-token", tunnel.DestinationAccessToken));

        AssertRejected(raw, 400, "source", "destination");
    }

    [Theory]
    [InlineData("/tunnel")]
    [InlineData("/tunnel?local-proxy-mode=")]
    [InlineData("/tunnel?local-proxy-mode=sideways")]
    [InlineData("/tunnel?local-proxy-mode=source&local-proxy-mode=source")]
    [InlineData("/tunnel?local-proxy-mode=source&local-proxy-mode=destination")]
    public async Task MissingUnknownOrRepeatedModeIsRejectedWith400(string target)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(gateway, target, ("access-token", tunnel.SourceAccessToken));

        AssertRejected(raw, 400, "local-proxy-mode", "source", "destination");
    }

    [Theory]
    [InlineData("/tunnels?local-proxy-mode=source")]
    [InlineData("/tunnel/x?local-proxy-mode=source")]
    [InlineData("/?local-proxy-mode=source")]
    public async Task WebSocketUpgradeToAnotherPathIsRejectedWith400NamingTunnel(string target)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(gateway, target, ("access-token", tunnel.SourceAccessToken));

        AssertRejected(raw, 400, "/tunnel?local-proxy-mode=");
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
    }

    [Fact]
    public async Task PlainGetOfTunnelWithoutUpgradeIsRejectedWith400()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await RawWebSocket.ConnectAsync(gateway, SourceTarget, [("access-token", tunnel.SourceAccessToken)]);

        AssertRejected(raw, 400, "WebSocket upgrade");
    }

    [Fact]
    public async Task UpgradeRequestOver4096BytesIsRejectedWith431()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(
            gateway,
            SourceTarget,
            ("access-token", tunnel.SourceAccessToken),
            ("x-padding", new string('a', 5000)));

        AssertRejected(raw, 431, "4096");
    }

    [Fact]
    public async Task UpgradeRequestJustUnder4KbIsAccepted()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectPaddedAsync(gateway, tunnel.SourceAccessToken, 4000);

        Assert.Equal(101, raw.StatusCode);
        Assert.Equal(MessageType.ServiceIds, (await ReceiveTunnelMessageAsync(raw)).Type);
    }

    [Fact]
    public async Task UpgradeRequestOfExactly4096BytesIsAcceptedAndOneByteMoreIsNot()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using (var tooBig = await ConnectPaddedAsync(gateway, tunnel.SourceAccessToken, 4097))
        {
            AssertRejected(tooBig, 431, "4097", "4096");
        }

        await using var atLimit = await ConnectPaddedAsync(gateway, tunnel.SourceAccessToken, 4096);
        Assert.Equal(101, atLimit.StatusCode);
    }

    [Theory]
    [InlineData(V1)]
    [InlineData(V2)]
    [InlineData(V3)]
    public async Task EachKnownSubprotocolIsAnsweredWithTheSameValue(string subprotocol)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await RawWebSocket.ConnectAsync(
            gateway,
            SourceTarget,
            RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", subprotocol), ("access-token", tunnel.SourceAccessToken)));

        Assert.Equal(101, raw.StatusCode);
        Assert.Equal([subprotocol], raw.Headers["Sec-WebSocket-Protocol"]);
        Assert.False(string.IsNullOrEmpty(raw.Header("channel-id")));
    }

    [Fact]
    public async Task KnownSubprotocolAfterAnUnknownOneIsChosen()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await RawWebSocket.ConnectAsync(
            gateway,
            SourceTarget,
            RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", $"foo, {V2}"), ("access-token", tunnel.SourceAccessToken)));

        Assert.Equal(101, raw.StatusCode);
        Assert.Equal([V2], raw.Headers["Sec-WebSocket-Protocol"]);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("aws.iot.securetunneling-4.0")]
    [InlineData(null)]
    public async Task UnknownOrMissingSubprotocolIsRejectedWith400NamingTheAcceptedValues(string? subprotocol)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var headers = RawWebSocket.UpgradeHeaders(("access-token", tunnel.SourceAccessToken));
        if (subprotocol is not null)
        {
            headers.Add(("Sec-WebSocket-Protocol", subprotocol));
        }

        await using var raw = await RawWebSocket.ConnectAsync(gateway, SourceTarget, headers);

        AssertRejected(raw, 400, "Sec-WebSocket-Protocol", V1, V2, V3);
    }

    [Theory]
    [InlineData(31, 'a')]
    [InlineData(129, 'a')]
    [InlineData(40, '_')]
    [InlineData(40, '.')]
    [InlineData(40, ' ')]
    public async Task MalformedClientTokenIsRejectedWith400AndDoesNotBurnTheAccessToken(int length, char odd)
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var clientToken = new string('a', length / 2) + odd + new string('b', length - (length / 2) - 1);

        await using (var raw = await ConnectRawAsync(gateway, SourceTarget, ("access-token", tunnel.SourceAccessToken), ("client-token", clientToken)))
        {
            AssertRejected(raw, 400, "client token", "32", "128");
        }

        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, new string('c', 32)));
        Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task TwoClientTokenHeadersAreRejectedWith400()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");

        await using var raw = await ConnectRawAsync(
            gateway,
            SourceTarget,
            ("access-token", tunnel.SourceAccessToken),
            ("client-token", new string('a', 32)),
            ("client-token", new string('b', 32)));

        AssertRejected(raw, 400, "client-token");
    }

    [Fact]
    public async Task ClientTokensOf32And128LettersDigitsAndDashesAreAccepted()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var shortest = "aZ09-" + new string('x', 27);
        var longest = string.Concat(Enumerable.Repeat("Ab3-", 32));
        Assert.Equal(32, shortest.Length);
        Assert.Equal(128, longest.Length);

        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, shortest));
        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken, longest));

        Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);
        Assert.Equal(MessageType.ServiceIds, (await destination.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task AccessAndClientTokensNeverAppearInTheLogs()
    {
        await using var gateway = await TestGateway.StartAsync();
        var tunnel = await gateway.CreateTunnelAsync("SSH");
        var clientToken = "log-check-" + Guid.NewGuid().ToString("N");
        var otherClientToken = "other-log-check-" + Guid.NewGuid().ToString("N");

        // Rejections of every kind, carrying the real tokens.
        var attempts = new (string Target, (string, string)[] Headers)[]
        {
            (DestinationTarget, [("access-token", tunnel.SourceAccessToken), ("client-token", clientToken)]),
            (SourceTarget, [("access-token", tunnel.SourceAccessToken), ("Cookie", $"awsiot-tunnel-token={tunnel.SourceAccessToken}")]),
            (SourceTarget, [("access-token", tunnel.SourceAccessToken), ("client-token", clientToken + "_")]),
            ("/tunnels?local-proxy-mode=source", [("access-token", tunnel.SourceAccessToken)]),
            (SourceTarget, [("access-token", tunnel.SourceAccessToken), ("x-padding", new string('a', 5000))]),
        };
        foreach (var (target, headers) in attempts)
        {
            await using var rejected = await ConnectRawAsync(gateway, target, headers);
            Assert.NotEqual(101, rejected.StatusCode);
        }

        // Accepted uses, then a reuse refused.
        await using var source = new TunnelSocket(await gateway.ConnectAsync("source", tunnel.SourceAccessToken, clientToken));
        await using var destination = new TunnelSocket(await gateway.ConnectAsync("destination", tunnel.DestinationAccessToken));
        Assert.Equal(MessageType.ServiceIds, (await source.ReceiveAsync()).Type);
        Assert.Equal(MessageType.ServiceIds, (await destination.ReceiveAsync()).Type);
        await using (var reused = await ConnectRawAsync(gateway, SourceTarget, ("access-token", tunnel.SourceAccessToken), ("client-token", otherClientToken)))
        {
            Assert.Equal(400, reused.StatusCode);
        }

        await using (var reusedDestination = await ConnectRawAsync(gateway, DestinationTarget, ("access-token", tunnel.DestinationAccessToken)))
        {
            Assert.Equal(400, reusedDestination.StatusCode);
        }

        Assert.NotEmpty(gateway.Logs.Lines);
        gateway.Logs.AssertNeverLogged(tunnel.SourceAccessToken);
        gateway.Logs.AssertNeverLogged(tunnel.DestinationAccessToken);
        gateway.Logs.AssertNeverLogged(clientToken);
        gateway.Logs.AssertNeverLogged(otherClientToken);
    }

    /// <summary>An upgrade with the V3 subprotocol and the given extra header lines.</summary>
    private static Task<RawWebSocket> ConnectRawAsync(TestGateway gateway, string target, params (string, string)[] headers) =>
        RawWebSocket.ConnectAsync(gateway, target, RawWebSocket.UpgradeHeaders([("Sec-WebSocket-Protocol", V3), .. headers]));

    /// <summary>
    /// A valid source upgrade padded with one extra header so that the request line, header lines
    /// and final blank line come to exactly <paramref name="totalBytes"/> on the wire.
    /// </summary>
    private static Task<RawWebSocket> ConnectPaddedAsync(TestGateway gateway, string accessToken, int totalBytes)
    {
        var headers = RawWebSocket.UpgradeHeaders(("Sec-WebSocket-Protocol", V3), ("access-token", accessToken));

        // What RawWebSocket writes: request line, Host line, each header line, blank line.
        int size = $"GET {SourceTarget} HTTP/1.1\r\n".Length + "Host: 127.0.0.1\r\n".Length + 2;
        size += headers.Sum(h => h.Item1.Length + 2 + h.Item2.Length + 2);
        const string PaddingName = "x-padding";
        int padding = totalBytes - size - (PaddingName.Length + 2 + 2);
        Assert.True(padding > 0, $"the request is already {size} bytes");
        headers.Add((PaddingName, new string('p', padding)));
        return RawWebSocket.ConnectAsync(gateway, SourceTarget, headers);
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

    /// <summary>Reads binary frames until one whole tunnel message has arrived and decodes it.</summary>
    private static async Task<Message> ReceiveTunnelMessageAsync(RawWebSocket raw)
    {
        var pending = Array.Empty<byte>();
        while (true)
        {
            var frame = await raw.ReceiveFrameAsync();
            Assert.NotNull(frame);
            Assert.Equal(RawFrame.Binary, frame.Opcode is RawFrame.Continuation ? RawFrame.Binary : frame.Opcode);
            pending = [.. pending, .. frame.Payload];
            var bytes = new ReadOnlySequence<byte>(pending);
            var status = FrameReader.TryRead(ref bytes, out var message, out var error);
            if (status == FrameReadStatus.NeedMoreData)
            {
                continue;
            }

            Assert.True(status == FrameReadStatus.Message, error.ToString());
            return message!;
        }
    }
}
