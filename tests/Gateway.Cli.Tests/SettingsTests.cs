using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Infrastructure;

namespace Gateway.Cli.Tests;

/// <summary>
/// Fine-grained settings of the real <c>localproxy</c> process (docs/protocol.md section 12):
/// <c>--export-default-settings</c> against the reference's output, and <c>--settings-json</c> files
/// whose values take effect through the relay, whose errors name the key, and which keep the cn-* region
/// overrides (section 1: the reference loses them).
/// </summary>
public sealed partial class SettingsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly List<string> _directories = [];

    private readonly List<Socket> _reserved = [];

    private TestGateway Gateway => fixture.Gateway;

    public static TheoryData<string, string> ChinaRegions => new()
    {
        { "cn-north-1", "data.tunneling.iot.cn-north-1.amazonaws.com.cn" },
        { "cn-northwest-1", "data.tunneling.iot.cn-northwest-1.amazonaws.com.cn" },
    };

    public void Dispose()
    {
        foreach (var socket in _reserved)
        {
            socket.Dispose();
        }

        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    [Fact]
    public async Task ExportedDefaultSettingsEqualTheReference()
    {
        string path = Path.Combine(TempDirectory(), "defaults.json");
        var (code, process) = await LocalProxyProcess.RunAsync(["--export-default-settings", path]);
        await using var _ = process;

        Assert.Equal(0, code);
        Assert.Contains(path, process.Stdout, StringComparison.Ordinal);
        string reference = Path.GetFullPath(Path.Combine(Paths.RepositoryRoot, "..", "shared", "reference", "default-settings.json"));
        var expected = Flatten(await File.ReadAllTextAsync(reference));
        var actual = Flatten(await File.ReadAllTextAsync(path));
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal("String:2", actual["tunneling.proxy.message.data_length_size"]);
        Assert.Equal("Object", actual["tunneling.proxy.region_endpoint_overrides"]);
    }

    [Fact]
    public async Task ExportToAnUnwritablePathIsAFileErrorNamingTheOption()
    {
        string path = Path.Combine(TempDirectory(), "no-such-directory", "defaults.json");
        var (code, process) = await LocalProxyProcess.RunAsync(["--export-default-settings", path]);
        await using var _ = process;

        AssertFileError(code, process, $"localproxy: --export-default-settings {path}: cannot be written");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task MaxActiveConnectionsFromASettingsFileRefusesTheSecondConnection()
    {
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"],
            TokenEnvironment(tunnel.DestinationAccessToken));
        await destination.WaitReadyAsync();
        string settings = WriteFile(
            "limit.json",
            """
            {
                "tunneling": {
                    "proxy": {
                        "tcp": { "max_active_connections": "1", "no_such_key": "x" },
                        "unknown_section": { "a": "b" }
                    }
                },
                "something.else": 42
            }
            """);
        var (source, port) = await LocalProxyProcess.StartSourceAsync(
            port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1", "--settings-json", settings],
            TokenEnvironment(tunnel.SourceAccessToken));
        await using var _ = source;

        using var first = await Tcp.ConnectAsync(port);
        var payload = Tcp.RandomBytes(16 * 1024);
        Assert.Equal(payload, await Tcp.EchoAsync(first, payload, Bounds.Step));

        using (var second = await Tcp.ConnectAsync(port))
        {
            await Tcp.WaitClosedAsync(second);
        }

        await source.WaitForLineAsync(RefusedLine());
        Assert.Equal(payload, await Tcp.EchoAsync(first, payload, Bounds.Step));
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task DefaultBindAddressFromASettingsFileIsWhereTheSourceListens()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string settings = WriteFile("bind.json", """{"tunneling": {"proxy": {"default_bind_address": "127.0.0.2"}}}""");
        var (source, port) = await LocalProxyProcess.StartSourceAsync(
            port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "--settings-json", settings],
            TokenEnvironment(tunnel.SourceAccessToken));
        await using var _ = source;

        Assert.Contains($"SSH -> 127.0.0.2:{port}", source.Stderr, StringComparison.Ordinal);
        using var cts = new CancellationTokenSource(Bounds.Step);
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), cts.Token);
            Assert.True(client.Connected);
        }

        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await other.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task UnknownKeysInASettingsFileAreIgnored()
    {
        string settings = WriteFile(
            "unknown.json",
            """{"tunneling": {"proxy": {"websocket": {"connect_retry_count": "0", "colour": "blue"}, "frobnicate": "yes"}}, "other": {"x": 1}}""");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", ClosedEndpoint(), "-d", "22", "--settings-json", settings],
            TokenEnvironment("token"));
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Contains("websocket.connect_retry_count 0", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("colour", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("frobnicate", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonNumericSettingsValueIsAFileErrorNamingTheKey()
    {
        string settings = WriteFile("abc.json", """{"tunneling": {"proxy": {"tcp": {"max_active_connections": "abc"}}}}""");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", ClosedEndpoint(), "-d", "22", "--settings-json", settings],
            TokenEnvironment("token"));
        await using var _ = process;

        AssertFileError(code, process, $"--settings-json {settings}: tunneling.proxy.tcp.max_active_connections must be");
        Assert.Contains("'abc'", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutOfRangeSettingsValueIsAFileErrorNamingTheKey()
    {
        string settings = WriteFile("zero.json", """{"tunneling": {"proxy": {"tcp": {"max_active_connections": "0"}}}}""");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", ClosedEndpoint(), "-d", "22", "--settings-json", settings],
            TokenEnvironment("token"));
        await using var _ = process;

        AssertFileError(code, process, $"--settings-json {settings}: tunneling.proxy.tcp.max_active_connections must be");
        Assert.Contains("between 1 and 65535", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryDelayBelowTheFloorIsAFileErrorNamingTheKey()
    {
        string settings = WriteFile("no-delay.json", """{"tunneling": {"proxy": {"websocket": {"retry_delay_ms": "0"}}}}""");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", ClosedEndpoint(), "-d", "22", "--settings-json", settings],
            TokenEnvironment("token"));
        await using var _ = process;

        AssertFileError(code, process, $"--settings-json {settings}: tunneling.proxy.websocket.retry_delay_ms must be");
        Assert.Contains("between 100 and 86400000", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingSettingsFileIsAFileError()
    {
        string missing = Path.Combine(TempDirectory(), "missing.json");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", ClosedEndpoint(), "-d", "22", "--settings-json", missing],
            TokenEnvironment("token"));
        await using var _ = process;

        AssertFileError(code, process, $"localproxy: --settings-json {missing}: the file does not exist.");
    }

    [Fact]
    public async Task SettingsFileThatIsNotJsonIsAFileError()
    {
        string settings = WriteFile("broken.json", "{\"tunneling\": {\"proxy\": ");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-e", ClosedEndpoint(), "-d", "22", "--settings-json", settings],
            TokenEnvironment("token"));
        await using var _ = process;

        AssertFileError(code, process, $"--settings-json {settings}: The settings file is not valid JSON");
    }

    [Theory]
    [MemberData(nameof(ChinaRegions))]
    public async Task ChinaRegionOverridesSurviveASettingsFile(string region, string host)
    {
        using var webProxy = ConnectProxyRecorder.Start();
        string settings = WriteFile("partial.json", """{"tunneling": {"proxy": {"websocket": {"connect_retry_count": "0"}}}}""");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-r", region, "--settings-json", settings, "-d", "22"],
            ProxiedEnvironment(webProxy));
        await using var _ = process;

        Assert.Equal($"CONNECT {host}:443 HTTP/1.1", await webProxy.WaitForRequestAsync());
        Assert.True(code == 4, $"exit code {code}, expected 4 (service unavailable). Output:\n{process.Output}");
        Assert.Single(webProxy.Requests);
        Assert.Contains($"destination mode, endpoint {region}", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("403", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegionOverrideAddedInASettingsFileIsUsed()
    {
        using var webProxy = ConnectProxyRecorder.Start();
        string settings = WriteFile(
            "override.json",
            """{"tunneling": {"proxy": {"websocket": {"connect_retry_count": "0"}, "region_endpoint_overrides": {"eu-west-1": "tunnel.eu-west-1.example.test"}}}}""");
        var (code, process) = await LocalProxyProcess.RunAsync(
            ["-r", "eu-west-1", "--settings-json", settings, "-d", "22"],
            ProxiedEnvironment(webProxy));
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Equal("CONNECT tunnel.eu-west-1.example.test:443 HTTP/1.1", Assert.Single(webProxy.Requests));
    }

    /// <summary>Exit 1 (a file could not be written, read or used), the message, and no usage hint.</summary>
    private static void AssertFileError(int code, LocalProxyProcess process, string message)
    {
        Assert.True(code == 1, $"exit code {code}, expected 1 (file error). Output:\n{process.Output}");
        Assert.Contains(message, process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Try 'localproxy --help'", process.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Every object and leaf under its dotted path: objects as <c>Object</c>, leaves as <c>Kind:text</c>.</summary>
    private static Dictionary<string, string> Flatten(string json)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        Add(document.RootElement, string.Empty);
        return entries;

        void Add(JsonElement element, string prefix)
        {
            foreach (var property in element.EnumerateObject())
            {
                string key = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
                Assert.False(entries.ContainsKey(key), $"{key} appears twice");
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    entries[key] = "Object";
                    Add(property.Value, key);
                }
                else
                {
                    entries[key] = $"{property.Value.ValueKind}:{property.Value}";
                }
            }
        }
    }

    /// <summary>Environment with <c>https_proxy</c> at <paramref name="webProxy"/>, so a region never leaves loopback.</summary>
    private static Dictionary<string, string?> ProxiedEnvironment(ConnectProxyRecorder webProxy) => new()
    {
        ["https_proxy"] = webProxy.Url,
        ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = "token",
    };

    private static Dictionary<string, string?> TokenEnvironment(string token) => new() { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = token };

    /// <summary>
    /// A loopback endpoint that refuses connections: a socket bound (not listening) for the test's
    /// lifetime, so no other test can take the port meanwhile.
    /// </summary>
    private string ClosedEndpoint()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _reserved.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
    }

    private string TempDirectory()
    {
        string directory = Directory.CreateTempSubdirectory("cli-settings-").FullName;
        _directories.Add(directory);
        return directory;
    }

    private string WriteFile(string name, string content)
    {
        string path = Path.Combine(TempDirectory(), name);
        File.WriteAllText(path, content);
        return path;
    }

    [GeneratedRegex(@"\[warning\] refused a connection from .* it already has 1 connections \(tcp\.max_active_connections\)")]
    private static partial Regex RefusedLine();
}
