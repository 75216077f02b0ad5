using System.Runtime.Versioning;
using Gateway.Cli.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.Cli.Tests;

/// <summary>
/// The ARM release builds (build/publish-localproxy.sh: self-contained, trimmed single-file) run
/// under qemu user emulation (Debian's qemu-user-static; the arm64 libc, libstdc++ and OpenSSL from
/// Debian's arm64 architecture, .ci/run installs them). Each platform is published once per test run;
/// every test prints how long that took. linux-arm (32-bit) is not here: the NuGet source this
/// project builds from has no linux-arm runtime pack (docs/cli.md, "Release builds").
/// Emulation is 10 to 50 times slower than the machine, so each step has a longer bound, and the
/// emulated processes get an empty system trust store: the relay's certificate is trusted through
/// <c>-c</c>, and parsing every system root under emulation (about 150 ms natively,
/// docs/performance.md figure 11) would take most of a step's bound on a busy machine.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class EmulatedPlatformTests(GatewayFixture fixture, ITestOutputHelper testOutput) : IClassFixture<GatewayFixture>, IDisposable
{
    private static readonly TimeSpan EmulatedStep = TimeSpan.FromMinutes(3);

    private readonly DirectoryInfo _emptyTrustStore = Directory.CreateTempSubdirectory("localproxy-no-roots-");

    private TestGateway Gateway => fixture.Gateway;

    public void Dispose() => _emptyTrustStore.Delete(recursive: true);

    /// <summary>The access token, and no system roots (OpenSSL's variables, which .NET reads too).</summary>
    private Dictionary<string, string?> Environment(string token) => new()
    {
        ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = token,
        ["SSL_CERT_DIR"] = _emptyTrustStore.FullName,
        ["SSL_CERT_FILE"] = Path.Combine(_emptyTrustStore.FullName, "none.pem"),
    };

    public static TheoryData<string> Platforms => ["linux-arm64"];

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task HelpAndVersionUnderEmulationAreTheNativeBuilds(string rid)
    {
        var emulated = await EmulatedAsync(rid);
        foreach (var args in new[] { new[] { "--help" }, ["-V"] })
        {
            var (code, process) = await LocalProxyProcess.RunAsync([emulated.Binary, .. args], executable: emulated.Emulator, timeout: EmulatedStep);
            await using var run = process;
            var (nativeCode, native) = await LocalProxyProcess.RunAsync(args);
            await using var nativeRun = native;
            Assert.True(code == 0, $"{rid} localproxy {args[0]} exited {code}:\n{process.Output}");
            Assert.Equal(0, nativeCode);
            Assert.Equal(native.Stdout, process.Stdout);
            Assert.Equal(string.Empty, process.Stderr);
        }
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task ExportDefaultSettingsUnderEmulationWritesTheNativeBuildsFile(string rid)
    {
        var emulated = await EmulatedAsync(rid);
        var directory = Directory.CreateTempSubdirectory("localproxy-export-");
        try
        {
            string file = Path.Combine(directory.FullName, "emulated.json");
            string nativeFile = Path.Combine(directory.FullName, "native.json");
            var (code, process) = await LocalProxyProcess.RunAsync([emulated.Binary, "--export-default-settings", file], executable: emulated.Emulator, timeout: EmulatedStep);
            await using var run = process;
            var (nativeCode, native) = await LocalProxyProcess.RunAsync(["--export-default-settings", nativeFile]);
            await using var nativeRun = native;
            Assert.True(code == 0, $"{rid} localproxy --export-default-settings exited {code}:\n{process.Output}");
            Assert.Equal(0, nativeCode);
            Assert.Equal(await File.ReadAllTextAsync(nativeFile), await File.ReadAllTextAsync(file));
            Assert.Equal($"Default settings written to {file}", process.Stdout);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task SourceAndDestinationUnderEmulationCarryOneMegabyteThroughTheRelay(string rid)
    {
        var emulated = await EmulatedAsync(rid);
        using var echo = EchoServer.Start();
        var tunnel = await Gateway.CreateTunnelAsync("SSH");
        await using var destination = LocalProxyProcess.Start(
            [emulated.Binary, .. Gateway.EndpointArgs(), "-d", $"SSH=127.0.0.1:{echo.Port}"],
            Environment(tunnel.DestinationAccessToken),
            executable: emulated.Emulator,
            log: Log);
        var ready = await destination.WaitReadyAsync(EmulatedStep);
        Assert.Equal($"127.0.0.1:{echo.Port}", ready["SSH"]);
        var (source, port) = await LocalProxyProcess.StartSourceAsync(
            port => [emulated.Binary, .. Gateway.EndpointArgs(), "-s", $"SSH={port}", "-b", "127.0.0.1"],
            Environment(tunnel.SourceAccessToken),
            log: Log,
            executable: emulated.Emulator,
            readyTimeout: EmulatedStep);
        await using var sourceProcess = source;

        var payload = Tcp.RandomBytes(1024 * 1024);
        Log("source listening; sending 1 MiB");
        using (var client = await Tcp.ConnectAsync(port))
        {
            Assert.Equal(payload, await Tcp.EchoAsync(client, payload, EmulatedStep));
        }

        Log("1 MiB echoed");
        Assert.Equal(1, echo.Accepted);
        Assert.False(destination.HasExited, destination.Output);
        Assert.False(source.HasExited, source.Output);
    }

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>Each line of the emulated processes, with the seconds since the test started (emulation is slow: where the time goes).</summary>
    private void Log(string line) => testOutput.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s {line}");

    private async Task<(string Emulator, string Binary)> EmulatedAsync(string rid)
    {
        var build = await ReleaseBuilds.SingleFileAsync(rid);
        testOutput.WriteLine($"{rid}: {build.Describe()}");
        return (Emulators.For(rid), build.Executable);
    }
}
