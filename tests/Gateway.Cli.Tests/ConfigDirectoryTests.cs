using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Infrastructure;

namespace Gateway.Cli.Tests;

/// <summary>
/// <c>--config-dir</c> (docs/protocol.md 8.1 step 4 and section 13): INI files of <c>SERVICE_ID = ENDPOINT</c>
/// lines, searched recursively, first definition wins, unparsable files skipped with a warning, used
/// only when no -s/-d map is given; <c>./config</c> relative to the working directory by default.
/// </summary>
public sealed partial class ConfigDirectoryTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const int ConfigurationError = 1;

    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task DestinationResolvesServiceIdsFromFilesInTheDirectoryTree()
    {
        using var ssh = EchoServer.Start();
        using var web = EchoServer.Start();
        using var dir = new TempDirectory("cfgdir-tree-");
        dir.Write("services.ini", $"# the tunnel's services\nSSH = 127.0.0.1:{ssh.Port}\n");
        dir.Write("nested/deeper/web.conf", $"; another file, two levels down\nWEB=127.0.0.1:{web.Port}\n");
        var tunnel = await Gateway.CreateTunnelAsync("SSH", "WEB");

        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "dst", "--config-dir", dir.Path],
            Token(tunnel.DestinationAccessToken));
        var destinationReady = await destination.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{ssh.Port}", destinationReady["SSH"]);
        Assert.Equal($"127.0.0.1:{web.Port}", destinationReady["WEB"]);
        Assert.Contains("2 service id(s) from 2 file(s)", destination.Output, StringComparison.Ordinal);

        // The source has no map and no ./config: both ids get ephemeral ports.
        await using var source = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "src", "-b", "127.0.0.1"],
            Token(tunnel.SourceAccessToken));
        var sourceReady = await source.WaitReadyAsync();

        await AssertEchoAsync(LocalProxyProcess.PortOf(sourceReady, "SSH"), 256 * 1024);
        await AssertEchoAsync(LocalProxyProcess.PortOf(sourceReady, "WEB"), 256 * 1024);
        Assert.Equal(1, ssh.Accepted);
        Assert.Equal(1, web.Accepted);
    }

    [Fact]
    public async Task DefaultConfigDirectoryIsConfigUnderTheWorkingDirectory()
    {
        using var echo = EchoServer.Start();
        using var workingDirectory = new TempDirectory("cfgdir-cwd-");
        workingDirectory.Write("config/ssh.ini", $"SSH = 127.0.0.1:{echo.Port}\n");
        var tunnel = await Gateway.CreateTunnelAsync("SSH");

        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "destination"],
            Token(tunnel.DestinationAccessToken),
            workingDirectory: workingDirectory.Path);
        var destinationReady = await destination.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{echo.Port}", destinationReady["SSH"]);
        Assert.Matches(DefaultDirectoryLoaded(), destination.Output);

        await using var source = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "source", "-b", "127.0.0.1"],
            Token(tunnel.SourceAccessToken));
        var sourceReady = await source.WaitReadyAsync();
        await AssertEchoAsync(LocalProxyProcess.PortOf(sourceReady, "SSH"), 1024 * 1024);
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task SourceListensOnTheConfiguredPortAndOnAnEphemeralPortForOtherIds()
    {
        using var ssh = EchoServer.Start();
        using var web = EchoServer.Start();
        using var dir = new TempDirectory("cfgdir-src-");
        for (int attempt = 0; ; attempt++)
        {
            int configuredPort = Tcp.FreePort();
            dir.Write("ports.ini", $"SSH = {configuredPort}\n");
            var tunnel = await Gateway.CreateTunnelAsync("SSH", "WEB");
            await using var destination = LocalProxyProcess.Start(
                [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{ssh.Port},WEB=127.0.0.1:{web.Port}"],
                Token(tunnel.DestinationAccessToken));
            await destination.WaitReadyAsync();

            await using var source = LocalProxyProcess.Start(
                [.. Gateway.EndpointArgs(), "-m", "src", "-b", "127.0.0.1", "--config-dir", dir.Path],
                Token(tunnel.SourceAccessToken));
            Dictionary<string, string> ready;
            try
            {
                ready = await source.WaitReadyAsync();
            }
            catch (InvalidOperationException) when (attempt < 4 && source.Output.Contains("already in use", StringComparison.Ordinal))
            {
                // Another process took the port between FreePort and the bind: try another.
                continue;
            }

            Assert.Equal(configuredPort, LocalProxyProcess.PortOf(ready, "SSH"));
            int ephemeral = LocalProxyProcess.PortOf(ready, "WEB");
            Assert.NotEqual(0, ephemeral);
            Assert.NotEqual(configuredPort, ephemeral);
            Assert.Contains($"listen port assigned for service id WEB: {ephemeral}", source.Output, StringComparison.Ordinal);

            var sshPayload = await AssertEchoAsync(configuredPort, 128 * 1024);
            var webPayload = await AssertEchoAsync(ephemeral, 128 * 1024);
            Assert.NotEqual(sshPayload, webPayload);
            Assert.Equal(1, ssh.Accepted);
            Assert.Equal(1, web.Accepted);
            return;
        }
    }

    [Fact]
    public async Task FirstFileInOrdinalPathOrderWinsForAnIdDefinedTwice()
    {
        using var first = EchoServer.Start();
        using var second = EchoServer.Start();
        using var dir = new TempDirectory("cfgdir-first-");

        // b.ini is written first, so the directory's own order cannot make the test pass by luck.
        dir.Write("b.ini", $"SSH = 127.0.0.1:{second.Port}\n");
        dir.Write("a.ini", $"SSH = 127.0.0.1:{first.Port}\n");
        var tunnel = await Gateway.CreateTunnelAsync("SSH");

        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "dst", "--config-dir", dir.Path],
            Token(tunnel.DestinationAccessToken));
        var ready = await destination.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{first.Port}", ready["SSH"]);

        await using var source = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "src", "-b", "127.0.0.1"],
            Token(tunnel.SourceAccessToken));
        var sourceReady = await source.WaitReadyAsync();
        await AssertEchoAsync(LocalProxyProcess.PortOf(sourceReady, "SSH"), 64 * 1024);
        Assert.Equal(1, first.Accepted);
        Assert.Equal(0, second.Accepted);
    }

    [Fact]
    public async Task UnparsableFileIsSkippedWithAWarningAndTheOtherFilesStillWork()
    {
        using var wrong = EchoServer.Start();
        using var echo = EchoServer.Start();
        using var dir = new TempDirectory("cfgdir-broken-");

        // a.ini comes first and defines SSH, but a line without '=' makes the whole file unusable.
        string broken = dir.Write("a.ini", $"SSH = 127.0.0.1:{wrong.Port}\nthis line is not an entry\n");
        dir.Write("b.ini", $"SSH = 127.0.0.1:{echo.Port}\n");
        var tunnel = await Gateway.CreateTunnelAsync("SSH");

        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "dst", "--config-dir", dir.Path],
            Token(tunnel.DestinationAccessToken));
        var ready = await destination.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{echo.Port}", ready["SSH"]);
        var warning = await destination.WaitForLineAsync(new Regex(@"\[warning\] .*skipping " + Regex.Escape(broken) + ": (?<why>.*)$"));
        Assert.Contains("line 2", warning.Groups["why"].Value, StringComparison.Ordinal);
        Assert.Contains("1 service id(s) from 2 file(s)", destination.Output, StringComparison.Ordinal);

        await using var source = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-m", "src", "-b", "127.0.0.1"],
            Token(tunnel.SourceAccessToken));
        var sourceReady = await source.WaitReadyAsync();
        await AssertEchoAsync(LocalProxyProcess.PortOf(sourceReady, "SSH"), 64 * 1024);
        Assert.Equal(1, echo.Accepted);
        Assert.Equal(0, wrong.Accepted);
    }

    [Fact]
    public async Task DestinationExitsWithConfigurationErrorWhenNoFileDefinesATunnelServiceId()
    {
        using var echo = EchoServer.Start();
        using var dir = new TempDirectory("cfgdir-missing-id-");
        dir.Write("ssh.ini", $"SSH = 127.0.0.1:{echo.Port}\n");
        var tunnel = await Gateway.CreateTunnelAsync("SSH", "RDP");

        var (code, destination) = await LocalProxyProcess.RunAsync(
            [.. Gateway.EndpointArgs(), "-m", "dst", "--config-dir", dir.Path],
            Token(tunnel.DestinationAccessToken));
        await using var process = destination;

        Assert.True(code == ConfigurationError, $"exit code {code}, expected {ConfigurationError}. Output:\n{destination.Output}");
        var lines = destination.Output.Split('\n');
        int loaded = Array.FindIndex(lines, l => l.Contains("1 service id(s) from 1 file(s)", StringComparison.Ordinal));
        int error = Array.FindIndex(lines, l => l.Contains("RDP", StringComparison.Ordinal) && l.Contains("no local endpoint", StringComparison.Ordinal));
        Assert.True(loaded >= 0 && error > loaded, $"expected the directory to load, then an error naming RDP. Output:\n{destination.Output}");

        // The error comes from the tunnel's SERVICE_IDS (the service was reached), and SSH is not blamed.
        Assert.DoesNotContain("SSH", lines[error], StringComparison.Ordinal);
        Assert.DoesNotMatch(ReadyLine(), destination.Output);
        Assert.Equal(0, echo.Accepted);
    }

    [Fact]
    public async Task ExplicitConfigDirThatDoesNotExistIsAConfigurationError()
    {
        using var parent = new TempDirectory("cfgdir-absent-");
        string missing = Path.Combine(parent.Path, "no-such-dir");
        var tunnel = await Gateway.CreateTunnelAsync("SSH");

        var (code, process) = await LocalProxyProcess.RunAsync(
            [.. Gateway.EndpointArgs(), "-m", "dst", "--config-dir", missing],
            Token(tunnel.DestinationAccessToken));
        await using var disposable = process;

        Assert.True(code == ConfigurationError, $"exit code {code}, expected {ConfigurationError}. Output:\n{process.Output}");
        Assert.Contains($"--config-dir {missing}", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(ReadyLine(), process.Output);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("comments")]
    [InlineData("unparsable")]
    [InlineData("sections")]
    public async Task ExplicitConfigDirWithoutAUsableEntryIsAConfigurationError(string content)
    {
        using var dir = new TempDirectory("cfgdir-unusable-");
        switch (content)
        {
            case "comments":
                dir.Write("only-comments.ini", "# SSH = 127.0.0.1:22\n; WEB = 80\n\n");
                break;
            case "unparsable":
                dir.Write("broken.ini", "SSH = 127.0.0.1:22\nnot an entry\n");
                break;
            case "sections":
                dir.Write("sectioned.ini", "[services]\nSSH = 127.0.0.1:22\n");
                break;
            default:
                Directory.CreateDirectory(Path.Combine(dir.Path, "empty-subdirectory"));
                break;
        }

        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        var (code, process) = await LocalProxyProcess.RunAsync(
            [.. Gateway.EndpointArgs(), "-m", "dst", "--config-dir", dir.Path],
            Token(tunnel.DestinationAccessToken));
        await using var disposable = process;

        Assert.True(code == ConfigurationError, $"exit code {code}, expected {ConfigurationError}. Output:\n{process.Output}");
        Assert.Contains($"--config-dir {dir.Path}", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("no file in it defines a service", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(ReadyLine(), process.Output);
    }

    [Fact]
    public async Task ServiceMapGivenWithConfigDirWinsWithAWarning()
    {
        using var echo = EchoServer.Start();
        using var decoy = EchoServer.Start();
        using var dir = new TempDirectory("cfgdir-unused-");
        int decoyPort = Tcp.FreePort();
        dir.Write("services.ini", $"SSH = {decoyPort}\n");
        using var destinationDir = new TempDirectory("cfgdir-unused-dst-");
        destinationDir.Write("services.ini", $"SSH = 127.0.0.1:{decoy.Port}\n");
        var tunnel = await Gateway.CreateTunnelAsync("SSH");

        await using var destination = LocalProxyProcess.Start(
            [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}", "--config-dir", destinationDir.Path],
            Token(tunnel.DestinationAccessToken));
        var destinationReady = await destination.WaitReadyAsync();
        Assert.Equal($"127.0.0.1:{echo.Port}", destinationReady["SSH"]);
        Assert.Matches(ConfigDirNotUsed("-d/--destination-app"), destination.Output);

        var (source, port) = await LocalProxyProcess.StartSourceAsync(
            port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1", "--config-dir", dir.Path],
            Token(tunnel.SourceAccessToken));
        await using var sourceProcess = source;
        Assert.Matches(ConfigDirNotUsed("-s/--source-listen-port"), source.Output);
        Assert.DoesNotContain("config directory", source.Output, StringComparison.Ordinal);

        await AssertEchoAsync(port, 256 * 1024);
        Assert.Equal(1, echo.Accepted);
        Assert.Equal(0, decoy.Accepted);
    }

    private static Dictionary<string, string?> Token(string token) => new() { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = token };

    private static async Task<byte[]> AssertEchoAsync(int port, int size)
    {
        var payload = Tcp.RandomBytes(size);
        using var client = await Tcp.ConnectAsync(port);
        Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
        return payload;
    }

    private static Regex ConfigDirNotUsed(string mapOption) =>
        new($@"\[warning\] --config-dir is not used: {Regex.Escape(mapOption)} maps the services", RegexOptions.Multiline);

    [GeneratedRegex(@"\[info\] config directory config: 1 service id\(s\) from 1 file\(s\)")]
    private static partial Regex DefaultDirectoryLoaded();

    [GeneratedRegex("service ids from the tunnel: ")]
    private static partial Regex ReadyLine();

    /// <summary>A temporary directory, deleted (best effort) on dispose.</summary>
    private sealed class TempDirectory(string prefix) : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

        /// <summary>Writes <paramref name="relative"/> (creating its directories); returns its full path.</summary>
        public string Write(string relative, string text)
        {
            string file = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
            return file;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
