using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Engine.Protocol;
using Gateway.Engine.Sessions;
using Gateway.Engine.Tests.Infrastructure;
using Gateway.Engine.Tests.Protocol;

namespace Gateway.Engine.Tests.Sessions;

/// <summary>
/// Scenarios 1a-1d (docs/protocol.md sections 2 and 18, reference/handshake.txt): the upgrade request has the reference's
/// request line, header names, case and order; the first ping follows the upgrade; nothing is sent after SERVICE_IDS.
/// Deliberate difference: the engine always sends a client-token (generated, 48 characters, when none is given).
/// </summary>
public sealed partial class ReferenceScenarioHandshakeTests
{
    [Theory]
    [InlineData("1a", SessionMode.Source, false, MessageFormat.V3, false)]
    [InlineData("1a", SessionMode.Source, false, MessageFormat.V2, false)]
    [InlineData("1a", SessionMode.Source, false, MessageFormat.V1, false)]
    [InlineData("1b", SessionMode.Source, true, MessageFormat.V3, true)]
    [InlineData("1c", SessionMode.Destination, false, MessageFormat.V3, false)]
    [InlineData("1d", SessionMode.Destination, true, MessageFormat.V3, false)]
    public async Task UpgradeRequestMatchesTheReferenceAndTheFirstPingFollows(string scenario, SessionMode mode, bool withClientToken, MessageFormat format, bool useTls)
    {
        var reference = ReferenceRequest(scenario);
        await using var kit = await SessionTestKit.CreateAsync(useTls);
        string? clientToken = withClientToken ? SessionTestKit.ReferenceClientToken : null;
        var spec = mode == SessionMode.Source
            ? kit.Source($"SSH1={Tcp.FreePort()}", format, clientToken: clientToken)
            : kit.Destination("SSH1=127.0.0.1:15600", clientToken: clientToken);
        var connection = await kit.ConnectAsync(spec, serviceIds: null);

        // The first ping comes right after the upgrade: 13 ASCII digits, the Unix time in milliseconds.
        var ping = await connection.NextPingAsync(TestTimeouts.Short);
        AssertEpochMillis(ping.Payload);

        // Request line and header names: case and order as the reference; the client-token header sits between
        // access-token and User-Agent (as in 1b/1d) even when none was configured.
        Assert.Equal(reference[0], connection.RequestLine);
        var expectedNames = reference.Skip(1).Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]).ToList();
        if (!expectedNames.Contains("client-token"))
        {
            expectedNames.Insert(expectedNames.IndexOf("User-Agent"), "client-token");
        }

        Assert.Equal(expectedNames, connection.Headers.Select(h => h.Name).ToList());
        foreach (var line in reference.Skip(1))
        {
            string name = line[..line.IndexOf(':', StringComparison.Ordinal)];
            string expected = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            string actual = connection.Header(name)!;
            switch (name)
            {
                case "Sec-WebSocket-Key":
                    Assert.True(WsFraming.IsValidKey(actual), $"Sec-WebSocket-Key '{actual}' is not 16 bytes of base64");
                    break;
                case "access-token":
                    Assert.Equal(SessionTestKit.AccessToken, actual);
                    break;
                case "User-Agent":
                    Assert.StartsWith("localproxy linux 64-bit/", actual, StringComparison.Ordinal);
                    break;
                default:
                    // Host without port, Upgrade, Connection, version 13, subprotocol 3.0 (also with -y V1/V2), client-token.
                    Assert.Equal(expected, actual);
                    break;
            }
        }

        string token = connection.Header("client-token")!;
        if (withClientToken)
        {
            Assert.Equal(SessionTestKit.ReferenceClientToken, token);
        }
        else
        {
            Assert.Matches(GeneratedToken(), token);
        }

        Assert.EndsWith("\r\n\r\n", connection.RequestText, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", connection.RequestText.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        // "no tunnel frame is sent by the proxy after SERVICE_IDS"
        await connection.SendFramesAsync(SessionTestKit.Injected(scenario)[0].Hex);
        await kit.WaitReadyAsync();
        await connection.AssertNoTunnelFrameAsync(SessionTestKit.QuietWindow);
        Assert.False(connection.HasProtocolViolation, string.Join("; ", connection.ProtocolViolations));
    }

    internal static void AssertEpochMillis(byte[] payload)
    {
        string text = System.Text.Encoding.ASCII.GetString(payload);
        Assert.Matches(ThirteenDigits(), text);
        long sent = long.Parse(text, CultureInfo.InvariantCulture);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange(sent, now - 10_000, now + 1_000);
    }

    /// <summary>The request lines of one section of handshake.txt (request line first, then "Name: value" lines).</summary>
    private static List<string> ReferenceRequest(string scenario)
    {
        string path = Path.Combine(Path.GetDirectoryName(ReferenceVectors.FilePath)!, "handshake.txt");
        var lines = File.ReadAllLines(path);
        int start = Array.FindIndex(lines, l => l.StartsWith($"=== {scenario} ", StringComparison.Ordinal));
        Assert.True(start >= 0, $"handshake.txt has no section {scenario}");
        return lines.Skip(start + 1).TakeWhile(l => l.Length > 0 && !l.StartsWith("===", StringComparison.Ordinal)).ToList();
    }

    [GeneratedRegex("^[a-zA-Z0-9-]{48}$")]
    private static partial Regex GeneratedToken();

    [GeneratedRegex("^[0-9]{13}$")]
    private static partial Regex ThirteenDigits();
}
