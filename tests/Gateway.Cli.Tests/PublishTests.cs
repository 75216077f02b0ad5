using System.Runtime.Versioning;
using Gateway.Cli.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.Cli.Tests;

/// <summary>
/// The README's single-file publish: <c>dotnet publish -r linux-x64 --self-contained false
/// -p:PublishSingleFile=true</c> gives one <c>localproxy</c> executable that works as a tunnel end.
/// </summary>
public sealed class PublishTests(GatewayFixture fixture, ITestOutputHelper testOutput) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan PublishBound = TimeSpan.FromMinutes(5);

    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task SingleFilePublishGivesOneLocalproxyExecutableThatCarriesATunnel()
    {
        var output = Directory.CreateTempSubdirectory("localproxy-publish-");
        try
        {
            string project = Path.Combine(Paths.RepositoryRoot, "src", "Gateway.Cli", "Gateway.Cli.csproj");
            var (code, log) = await ToolProcess.RunAsync(
                ToolProcess.DotnetHost(),
                ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishSingleFile=true", "-o", output.FullName, "--disable-build-servers", "--nologo"],
                PublishBound);
            Assert.True(code == 0, $"dotnet publish exited {code}:\n{log}");
            testOutput.WriteLine(log[log.LastIndexOf("(dotnet finished", StringComparison.Ordinal)..]);

            var files = output.EnumerateFiles("*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output.FullName, f.FullName)).Order(StringComparer.Ordinal).ToList();
            var listing = string.Join(", ", files);
            Assert.Equal(["localproxy"], files.Where(f => !f.EndsWith(".pdb", StringComparison.Ordinal)));
            Assert.DoesNotContain("localproxy.dll", files);
            Assert.Empty(output.EnumerateDirectories());
            string executable = Path.Combine(output.FullName, "localproxy");
            Assert.True((File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, $"{executable} is not executable ({listing})");

            // --version: exit 0, and the same version line as the build the other tests run.
            var (versionCode, published) = await LocalProxyProcess.RunAsync(["--version"], executable: executable);
            await using var publishedVersion = published;
            Assert.True(versionCode == 0, $"published localproxy --version exited {versionCode}:\n{published.Output}");
            var (builtCode, built) = await LocalProxyProcess.RunAsync(["--version"]);
            await using var builtVersion = built;
            Assert.Equal(0, builtCode);
            Assert.StartsWith("localproxy ", published.Stdout, StringComparison.Ordinal);
            Assert.Equal(built.Stdout, published.Stdout);

            // A real tunnel: the published executable as destination, the built one as source.
            using var echo = EchoServer.Start();
            var tunnel = await Gateway.CreateTunnelAsync("SSH");
            await using var destination = LocalProxyProcess.Start(
                [.. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"],
                new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.DestinationAccessToken },
                executable: executable);
            var ready = await destination.WaitReadyAsync();
            Assert.Equal($"127.0.0.1:{echo.Port}", ready["SSH"]);
            var (source, port) = await LocalProxyProcess.StartSourceAsync(
                port => [.. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1"],
                new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.SourceAccessToken });
            await using var sourceProcess = source;

            var payload = Tcp.RandomBytes(2 * 1024 * 1024);
            using (var client = await Tcp.ConnectAsync(port))
            {
                Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
            }

            Assert.Equal(1, echo.Accepted);
            Assert.False(destination.HasExited, destination.Output);
        }
        finally
        {
            try
            {
                output.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
