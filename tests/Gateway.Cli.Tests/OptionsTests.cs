using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Cli.Tests.Infrastructure;

namespace Gateway.Cli.Tests;

/// <summary>
/// The command line of the real <c>localproxy</c> process (docs/protocol.md section 13): help and version,
/// every usage error with its message and exit code, --config files, and the precedence of command
/// line over --config over environment, observed through the gateway's relay.
/// </summary>
public sealed partial class OptionsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IDisposable
{
    private const string Hint = "Try 'localproxy --help' for a list of options.";

    private const string AccessTokenWarning = "the access token was given on the command line (-t/--access-token)";

    private readonly List<string> _directories = [];

    private readonly List<Socket> _reserved = [];

    private TestGateway Gateway => fixture.Gateway;

    public static TheoryData<string> HelpArguments => ["--help", "-h"];

    public static TheoryData<string> VersionArguments => ["-V", "--version"];

    public static TheoryData<string> BadPorts => ["0", "70000"];

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

    [Theory]
    [MemberData(nameof(HelpArguments))]
    public async Task HelpListsEveryOptionAndExitsZero(string help)
    {
        var (code, process) = await LocalProxyProcess.RunAsync([help]);
        await using var _ = process;

        Assert.Equal(0, code);
        string[] names =
        [
            "-h", "--help", "-V", "--version", "-t", "--access-token", "-i", "--client-token", "-e", "--proxy-endpoint",
            "-r", "--region", "-s", "--source-listen-port", "-d", "--destination-app", "-b", "--local-bind-address",
            "-c", "--capath", "-k", "--no-ssl-host-verify", "-v", "--verbose", "-m", "--mode", "-y", "--destination-client-type",
            "--export-default-settings", "--settings-json", "--config", "--config-dir",
        ];
        foreach (var name in names)
        {
            Assert.True(
                Regex.IsMatch(process.Stdout, $@"(?<![\w-]){Regex.Escape(name)}(?![\w-])"),
                $"--help does not list {name}:\n{process.Stdout}");
        }

        Assert.Contains("AWSIOT_TUNNEL_ACCESS_TOKEN", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("Show help message", process.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, process.Stderr);
    }

    [Theory]
    [MemberData(nameof(VersionArguments))]
    public async Task VersionPrintsAVersionLineAndExitsZero(string version)
    {
        var (code, process) = await LocalProxyProcess.RunAsync([version]);
        await using var _ = process;

        Assert.Equal(0, code);
        Assert.Matches(VersionLine(), process.Stdout);
        Assert.Equal(string.Empty, process.Stderr);
    }

    [Fact]
    public async Task UnknownOptionIsAUsageError()
    {
        var (code, process) = await RunAsync(["--bogus-option", .. ClosedEndpointArgs(), "-d", "22", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "unrecognised option '--bogus-option'");
    }

    [Fact]
    public async Task RegionAndEndpointOnTheCommandLineConflict()
    {
        using var webProxy = ConnectProxyRecorder.Start();
        var (code, process) = await RunAsync(
            ["-r", "us-east-1", .. ClosedEndpointArgs(), "-d", "22"],
            ProxiedEnvironment(webProxy, token: "token"));
        await using var _ = process;

        AssertUsageError(code, process, "Must specify one and only one of --region/-r or --proxy-endpoint/-e options", "-r/--region and -e/--proxy-endpoint cannot be used together");
        Assert.DoesNotContain("Neither region nor endpoint", process.Stderr, StringComparison.Ordinal);
        Assert.Empty(webProxy.Requests);
    }

    [Fact]
    public async Task NeitherRegionNorEndpointIsAUsageErrorNamingTheEnvironmentVariables()
    {
        var (code, process) = await RunAsync(["-d", "22", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "Must specify one and only one of --region/-r or --proxy-endpoint/-e options", "neither is given", "AWSIOT_TUNNEL_REGION", "AWSIOT_TUNNEL_ENDPOINT");
    }

    [Fact]
    public async Task SourceAndDestinationTogetherConflict()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-s", "5000", "-d", "22", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "Must specify one and only one of --source-listen-port/-s or --destination-app/-d", "-s/--source-listen-port and -d/--destination-app cannot be used together");
    }

    [Fact]
    public async Task NoneOfSourceDestinationOrModeIsAUsageError()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "Must specify one of --source-listen-port/-s or --destination-app/-d or --mode");
    }

    [Fact]
    public async Task InvalidModeIsAUsageError()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-m", "sideways", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "Mode value is wrong! Allowed values are: src, dst, source, destination", "-m/--mode: 'sideways'");
    }

    [Theory]
    [InlineData("dst", "-s", "5000", "-s/--source-listen-port", "-s and --mode have mismatched mode. Mode is set to destination!")]
    [InlineData("src", "-d", "22", "-d/--destination-app", "-d and --mode have mismatched mode. Mode is set to source!")]
    public async Task ModeDisagreeingWithTheMapIsAUsageError(string mode, string mapOption, string map, string mapDisplay, string phrase)
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-m", mode, mapOption, map, "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, phrase, $"-m/--mode '{mode}' does not agree with {mapDisplay}");
    }

    [Fact]
    public async Task MissingAccessTokenIsAUsageError()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-d", "22"]);
        await using var _ = process;

        AssertUsageError(code, process, "the option '--access-token' is required but missing", "-t/--access-token", "AWSIOT_TUNNEL_ACCESS_TOKEN");
    }

    [Fact]
    public async Task VerboseWithoutItsValueIsAUsageErrorNamingTheOption()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-d", "22", "-t", "token", "-v"]);
        await using var _ = process;

        AssertUsageError(code, process, "the required argument for option '--verbose' is missing");
    }

    [Fact]
    public async Task NonNumericVerboseIsAUsageError()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-d", "22", "-t", "token", "-v", "x"]);
        await using var _ = process;

        AssertUsageError(code, process, "-v/--verbose: 'x' is not a log level");
    }

    [Theory]
    [InlineData("256")]
    [InlineData("300")]
    [InlineData("99999999999")]
    public async Task VerboseAbove255IsAUsageError(string level)
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-d", "22", "-t", "token", "-v", level]);
        await using var _ = process;

        AssertUsageError(code, process, $"-v/--verbose: '{level}'", "0 (off) to 6 (trace)");
    }

    [Fact]
    public async Task VerboseLevelDecidesWhichLinesArePrinted()
    {
        string settings = NoRetrySettings();
        string[] args = [.. ClosedEndpointArgs(), "-d", "22", "-t", "token", "--settings-json", settings];

        var (quietCode, quiet) = await RunAsync([.. args, "-v", "1"]);
        await using var _ = quiet;
        var (infoCode, info) = await RunAsync([.. args, "-v", "4"]);
        await using var __ = info;

        // -v 1 is fatal lines only: the start line (info) and the failed connect (warning) are filtered
        // out, the final refusal is not; -v 4 adds the information lines.
        Assert.Equal(4, quietCode);
        Assert.Equal(4, infoCode);
        Assert.Contains("[fatal]", quiet.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("[info]", quiet.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("[warning]", quiet.Stderr, StringComparison.Ordinal);
        Assert.Contains("[info] TunnelGateway localproxy", info.Stderr, StringComparison.Ordinal);
        Assert.Contains("[fatal]", info.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("[debug]", info.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidServiceIdIsAUsageError()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-s", "bad!id=5000", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "-s/--source-listen-port", "the service id 'bad!id' is not valid");
    }

    [Fact]
    public async Task TwoSourceServicesOnOnePortAreAUsageErrorNamingTheOption()
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-s", "SSH1=5555,SSH2=5555", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "-s/--source-listen-port", "The services 'SSH1' and 'SSH2' both map to port 5555");
    }

    [Theory]
    [MemberData(nameof(BadPorts))]
    public async Task SourcePortOutOfRangeIsAUsageError(string port)
    {
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-s", port, "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, $"-s/--source-listen-port: '{port}'", "1 to 65535");
    }

    [Fact]
    public async Task ShortClientTokenIsAUsageErrorThatDoesNotEchoTheToken()
    {
        const string clientToken = "shortTok3nX";
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-d", "22", "-t", "token", "-i", clientToken]);
        await using var _ = process;

        AssertUsageError(code, process, "-i/--client-token", "32 to 128");
        Assert.DoesNotContain(clientToken, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointWithAPathIsAUsageError()
    {
        var (code, process) = await RunAsync(["-e", "relay.local/tunnel", "-d", "22", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "-e/--proxy-endpoint: The endpoint must be host[:port]");
    }

    [Fact]
    public async Task InvalidEndpointFromTheEnvironmentNamesTheVariable()
    {
        var (code, process) = await RunAsync(
            ["-d", "22", "-t", "token"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ENDPOINT"] = "relay.local/tunnel" });
        await using var _ = process;

        AssertUsageError(code, process, "AWSIOT_TUNNEL_ENDPOINT: The endpoint must be host[:port]");
    }

    [Fact]
    public async Task MissingCaDirectoryIsAUsageError()
    {
        string missing = Path.Combine(TempDirectory(), "no-such-ca-dir");
        var (code, process) = await RunAsync(["-e", ClosedEndpoint(), "-c", missing, "-d", "22", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, "-c/--capath", $"'{missing}' does not exist");
    }

    [Fact]
    public async Task UnknownDestinationClientTypeOnlyWarnsAndTheProxyGoesOn()
    {
        string settings = NoRetrySettings();
        var (code, process) = await RunAsync(
            [.. ClosedEndpointArgs(), "-s", "SSH=5000", "-y", "V7", "--settings-json", settings],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = "token" });
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Matches(@"\[warning\] -y/--destination-client-type: 'V7' is not V1 or V2; using the V3 format\.", process.Stderr);
        Assert.Contains("source mode, endpoint 127.0.0.1:", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Hint, process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessTokenOnTheCommandLineIsWarnedAbout()
    {
        const string token = "command-line-token-value";
        var (code, process) = await RunAsync([.. ClosedEndpointArgs(), "-d", "22", "-t", token, "--settings-json", NoRetrySettings()]);
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Matches($@"\[warning\] {Regex.Escape(AccessTokenWarning)}", process.Stderr);
        Assert.DoesNotContain(token, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessTokenFromTheEnvironmentIsNotWarnedAbout()
    {
        const string token = "environment-token-value";
        var (code, process) = await RunAsync(
            [.. ClosedEndpointArgs(), "-d", "22", "--settings-json", NoRetrySettings()],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = token });
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Contains("destination mode, endpoint 127.0.0.1:", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("access token was given on the command line", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConfigFileIsAFileError()
    {
        string missing = Path.Combine(TempDirectory(), "missing.ini");
        var (code, process) = await RunAsync(["--config", missing]);
        await using var _ = process;

        AssertFileError(code, process, $"--config {missing}: the file does not exist.");
    }

    [Fact]
    public async Task UnknownKeyInConfigFileIsAFileErrorNamingKeyAndLine()
    {
        string config = WriteFile("bad.ini", "# a comment\nproxy-endpoint = 127.0.0.1:1\ncolour = blue\n");
        var (code, process) = await RunAsync(["--config", config]);
        await using var _ = process;

        AssertFileError(code, process, $"--config {config}, line 3: 'colour' is not an option of localproxy");
    }

    [Fact]
    public async Task RepeatedKeyInConfigFileIsAFileError()
    {
        string config = WriteFile("repeated.ini", "destination-app = 22\nproxy-endpoint = 127.0.0.1:1\ndestination-app = 23\n");
        var (code, process) = await RunAsync(["--config", config]);
        await using var _ = process;

        AssertFileError(code, process, $"--config {config}, line 3: 'destination-app' is given more than once.");
    }

    [Fact]
    public async Task SwitchInConfigFileMustBeTrueOrFalse()
    {
        string config = WriteFile("switch.ini", "no-ssl-host-verify = maybe\n");
        var (code, process) = await RunAsync(["--config", config]);
        await using var _ = process;

        AssertFileError(code, process, $"--config {config}, line 1: 'no-ssl-host-verify' is a switch: its value must be true or false.");
    }

    [Fact]
    public async Task CommandLineOnlyOptionInConfigFileIsAFileError()
    {
        string config = WriteFile("export.ini", "export-default-settings = out.json\n");
        var (code, process) = await RunAsync(["--config", config]);
        await using var _ = process;

        AssertFileError(code, process, $"--config {config}, line 1: 'export-default-settings' can only be given on the command line.");
        Assert.False(File.Exists(Path.Combine(process.WorkingDirectory, "out.json")));
    }

    [Fact]
    public async Task InvalidValueInConfigFileIsAUsageErrorNamingTheFile()
    {
        string config = WriteFile("verbose.ini", "verbose = loud\n");
        var (code, process) = await RunAsync(["--config", config, .. ClosedEndpointArgs(), "-d", "22", "-t", "token"]);
        await using var _ = process;

        AssertUsageError(code, process, $"verbose in --config {config}: 'loud' is not a log level");
    }

    [Fact]
    public async Task ConfigFileWithCommentsAndBlankLinesIsAccepted()
    {
        string settings = NoRetrySettings();
        string endpoint = ClosedEndpoint();
        string config = WriteFile(
            "commented.ini",
            $"# localproxy options\n\n   # an indented comment\nproxy-endpoint = {endpoint}   # the relay\n\n"
            + $"destination-app = 22\r\nsettings-json = {settings}\n  access-token=token-from-config  \n# the end\n");
        var (code, process) = await RunAsync(["--config", config]);
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Contains($"destination mode, endpoint {endpoint}", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("websocket.connect_retry_count 0", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessTokenWarning, process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("token-from-config", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFileAccessTokenWinsOverTheEnvironment()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = WriteFile("token.ini", $"access-token = {tunnel.DestinationAccessToken}\n");
        await using var process = Start(
            [.. Gateway.EndpointArgs(), "--config", config, "-d", "SSH=127.0.0.1:1"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = "wrong-environment-token" });

        var ready = await process.WaitReadyAsync();

        Assert.Equal("127.0.0.1:1", ready["SSH"]);
        Assert.DoesNotContain(AccessTokenWarning, process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongConfigFileAccessTokenWinsOverARightEnvironmentToken()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = WriteFile("token.ini", "access-token = wrong-config-token\n");
        var (code, process) = await RunAsync(
            [.. Gateway.EndpointArgs(), "--config", config, "-d", "SSH=127.0.0.1:1"],
            new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken });
        await using var _ = process;

        Assert.Equal(3, code);
        Assert.DoesNotContain("service ids from the tunnel", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLineAccessTokenWinsOverTheConfigFile()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = WriteFile("token.ini", "access-token = wrong-config-token\n");
        await using var process = Start([.. Gateway.EndpointArgs(), "--config", config, "-d", "SSH=127.0.0.1:1", "-t", tunnel.DestinationAccessToken]);

        var ready = await process.WaitReadyAsync();

        Assert.Equal("127.0.0.1:1", ready["SSH"]);
        Assert.Contains(AccessTokenWarning, process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(tunnel.DestinationAccessToken, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFileDestinationAppIsUsedWhenTheCommandLineGivesNone()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = WriteFile("destination.ini", "destination-app = SSH=127.0.0.1:2201\n");
        await using var process = Start([.. Gateway.EndpointArgs(), "--config", config], TokenEnvironment(tunnel.DestinationAccessToken));

        var ready = await process.WaitReadyAsync();

        Assert.Equal("127.0.0.1:2201", ready["SSH"]);
        Assert.Contains($"destination mode, endpoint {Gateway.Endpoint}", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLineDestinationAppWinsOverTheConfigFile()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = WriteFile("destination.ini", "destination-app = SSH=127.0.0.1:2201\n");
        await using var process = Start([.. Gateway.EndpointArgs(), "--config", config, "-d", "SSH=127.0.0.1:2202"], TokenEnvironment(tunnel.DestinationAccessToken));

        var ready = await process.WaitReadyAsync();

        Assert.Equal("127.0.0.1:2202", ready["SSH"]);
    }

    [Fact]
    public async Task CommandLineDestinationAppWinsOverASourceMapInTheConfigFile()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = WriteFile("source.ini", "source-listen-port = SSH=5000\n");
        await using var process = Start([.. Gateway.EndpointArgs(), "--config", config, "-d", "SSH=127.0.0.1:2203"], TokenEnvironment(tunnel.DestinationAccessToken));

        var ready = await process.WaitReadyAsync();

        Assert.Equal("127.0.0.1:2203", ready["SSH"]);
        Assert.Contains("destination mode, endpoint", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFileSourceListenPortIsUsedWhenTheCommandLineGivesNone()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        string config = Path.Combine(TempDirectory(), "source.ini");
        var (process, port) = await LocalProxyProcess.StartSourceAsync(
            port =>
            {
                File.WriteAllText(config, $"# source\nsource-listen-port = SSH={port}\nlocal-bind-address = 127.0.0.1\n");
                return [.. Gateway.EndpointArgs(), "--config", config];
            },
            TokenEnvironment(tunnel.SourceAccessToken));
        await using var _ = process;

        Assert.Contains($"SSH -> 127.0.0.1:{port}", process.Stderr, StringComparison.Ordinal);
        Assert.Contains($"source mode, endpoint {Gateway.Endpoint}", process.Stderr, StringComparison.Ordinal);
        using var client = await Tcp.ConnectAsync(port);
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task EnvironmentEndpointIsUsedWhenNothingElseGivesOne()
    {
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var process = Start(
            ["-c", Gateway.CaDirectory, "-d", "SSH=127.0.0.1:1"],
            new Dictionary<string, string?>
            {
                ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken,
                ["AWSIOT_TUNNEL_ENDPOINT"] = Gateway.Endpoint,
            });

        await process.WaitReadyAsync();

        Assert.Contains($"destination mode, endpoint {Gateway.Endpoint}", process.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("command line", "environment")]
    [InlineData("config", "environment")]
    [InlineData("command line", "config")]
    public async Task EndpointInAHigherLayerWinsOverARegionInALowerLayer(string endpointLayer, string regionLayer)
    {
        using var webProxy = ConnectProxyRecorder.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        var environment = ProxiedEnvironment(webProxy, tunnel.DestinationAccessToken);
        var config = new List<string>();
        List<string> args = ["-c", Gateway.CaDirectory, "-d", "SSH=127.0.0.1:1"];
        if (endpointLayer == "command line")
        {
            args.AddRange(["-e", Gateway.Endpoint]);
        }
        else
        {
            config.Add($"proxy-endpoint = {Gateway.Endpoint}");
        }

        if (regionLayer == "environment")
        {
            environment["AWSIOT_TUNNEL_REGION"] = "us-east-1";
        }
        else
        {
            config.Add("region = us-east-1");
        }

        if (config.Count > 0)
        {
            args.AddRange(["--config", WriteFile("layers.ini", string.Join('\n', config) + "\n")]);
        }

        await using var process = Start(args, environment);

        await process.WaitReadyAsync();

        Assert.Contains($"destination mode, endpoint {Gateway.Endpoint}", process.Stderr, StringComparison.Ordinal);
        Assert.Equal($"CONNECT {Gateway.Endpoint} HTTP/1.1", Assert.Single(webProxy.Requests));
    }

    [Fact]
    public async Task RegionInAHigherLayerWinsOverAnEndpointInALowerLayer()
    {
        using var webProxy = ConnectProxyRecorder.Start();
        string config = WriteFile("region.ini", $"region = us-east-1\nsettings-json = {NoRetrySettings()}\n");
        var environment = ProxiedEnvironment(webProxy, "token");
        environment["AWSIOT_TUNNEL_ENDPOINT"] = ClosedEndpoint();
        var (code, process) = await RunAsync(["--config", config, "-d", "22"], environment);
        await using var _ = process;

        Assert.Equal(4, code);
        Assert.Contains("destination mode, endpoint us-east-1", process.Stderr, StringComparison.Ordinal);
        Assert.Equal("CONNECT data.tunneling.iot.us-east-1.amazonaws.com:443 HTTP/1.1", Assert.Single(webProxy.Requests));
    }

    [Fact]
    public async Task RegionAndEndpointInTheSameConfigFileConflict()
    {
        using var webProxy = ConnectProxyRecorder.Start();
        string config = WriteFile("both.ini", $"region = us-east-1\nproxy-endpoint = {ClosedEndpoint()}\n");
        var (code, process) = await RunAsync(["--config", config, "-d", "22"], ProxiedEnvironment(webProxy, "token"));
        await using var _ = process;

        AssertUsageError(code, process, $"region in --config {config} and proxy-endpoint in --config {config} cannot be used together");
        Assert.Empty(webProxy.Requests);
    }

    [Fact]
    public async Task RegionAndEndpointInTheEnvironmentConflict()
    {
        using var webProxy = ConnectProxyRecorder.Start();
        var environment = ProxiedEnvironment(webProxy, "token");
        environment["AWSIOT_TUNNEL_REGION"] = "us-east-1";
        environment["AWSIOT_TUNNEL_ENDPOINT"] = ClosedEndpoint();
        var (code, process) = await RunAsync(["-d", "22"], environment);
        await using var _ = process;

        AssertUsageError(code, process, "AWSIOT_TUNNEL_REGION and AWSIOT_TUNNEL_ENDPOINT cannot be used together");
        Assert.Empty(webProxy.Requests);
    }

    private static void AssertUsageError(int code, LocalProxyProcess process, params string[] fragments)
    {
        Assert.True(code == 1, $"exit code {code}, expected 1 (usage error). Output:\n{process.Output}");
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, process.Stderr, StringComparison.Ordinal);
        }

        Assert.StartsWith("localproxy: ", process.Stderr, StringComparison.Ordinal);
        Assert.Equal(Hint, process.Stderr.TrimEnd().Split('\n')[^1]);
        Assert.Equal(string.Empty, process.Stdout);
    }

    private static void AssertFileError(int code, LocalProxyProcess process, string message)
    {
        Assert.True(code == 1, $"exit code {code}, expected 1 (file error). Output:\n{process.Output}");
        Assert.Contains($"localproxy: {message}", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Hint, process.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Environment with <c>https_proxy</c> at <paramref name="webProxy"/>, so a region never leaves loopback.</summary>
    private static Dictionary<string, string?> ProxiedEnvironment(ConnectProxyRecorder webProxy, string token) => new()
    {
        ["https_proxy"] = webProxy.Url,
        ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = token,
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

    private string[] ClosedEndpointArgs() => ["-e", ClosedEndpoint()];

    private static LocalProxyProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        LocalProxyProcess.Start(args, environment);

    private static Task<(int ExitCode, LocalProxyProcess Process)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        LocalProxyProcess.RunAsync(args, environment);

    private string TempDirectory()
    {
        string directory = Directory.CreateTempSubdirectory("cli-options-").FullName;
        _directories.Add(directory);
        return directory;
    }

    private string WriteFile(string name, string content)
    {
        string path = Path.Combine(TempDirectory(), name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A settings file with <c>websocket.connect_retry_count</c> 0: an unreachable endpoint ends the run (exit 4) at once.</summary>
    private string NoRetrySettings() =>
        WriteFile("no-retry.json", """{"tunneling": {"proxy": {"websocket": {"connect_retry_count": "0"}}}}""");

    [GeneratedRegex(@"^localproxy \d+\.\d+\.\d+\S* ", RegexOptions.Multiline)]
    private static partial Regex VersionLine();
}
