using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Infrastructure;

namespace Gateway.Interop.Tests;

/// <summary>
/// docs/engine.md: the engine as the NuGet package TunnelGateway.Engine. The package is packed with the
/// documented command, both samples are built against the package (not the project), and they carry a
/// tunnel: the EmbeddedRelay sample is the service, the TunnelEnd sample the source, and the AWS reference
/// proxy (which nobody here wrote) the destination.
/// </summary>
public sealed partial class PackageSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ThePackedEngineBuildsBothSamplesAndTheyCarryATunnelToTheReferenceProxy()
    {
        var work = Directory.CreateTempSubdirectory("engine-package-");
        try
        {
            // The documented command, on a copy of the engine's sources and the build files above them, so
            // that its build never meets another test's build of the same project (a publish with a RID).
            string repository = Path.Combine(work.FullName, "repository");
            CopyDirectory(Path.Combine(Paths.RepositoryRoot, "src", "Gateway.Engine"), Path.Combine(repository, "src", "Gateway.Engine"));
            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
            {
                File.Copy(Path.Combine(Paths.RepositoryRoot, file), Path.Combine(repository, file));
            }

            string packages = Path.Combine(work.FullName, "packages");
            await RunDotnetAsync("pack", Path.Combine(repository, "src", "Gateway.Engine"), "-c", "Release", "-o", packages);
            string package = Assert.Single(Directory.GetFiles(packages, "TunnelGateway.Engine.*.nupkg"));
            Assert.Single(Directory.GetFiles(packages, "TunnelGateway.Engine.*.snupkg"));
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("README.md", entries);
                Assert.Contains("lib/net10.0/Gateway.Engine.dll", entries);
                Assert.Contains("lib/net10.0/Gateway.Engine.xml", entries);
            }

            // The samples, copied out of the repository so nothing above them applies, restored into a
            // cache of their own: a package of the same version cached by an earlier run is never used.
            string samples = Path.Combine(work.FullName, "samples");
            CopyDirectory(Path.Combine(Paths.RepositoryRoot, "samples"), samples);
            string cache = Path.Combine(work.FullName, "nuget");
            string fallback = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string relayOut = Path.Combine(work.FullName, "relay"), endOut = Path.Combine(work.FullName, "end");
            string[] restore = [$"-p:RestoreAdditionalProjectSources={packages}", $"-p:RestorePackagesPath={cache}", $"-p:RestoreFallbackFolders={fallback}"];
            await RunDotnetAsync(["build", Path.Combine(samples, "EmbeddedRelay"), "-c", "Release", "-o", relayOut, .. restore]);
            await RunDotnetAsync(["build", Path.Combine(samples, "TunnelEnd"), "-c", "Release", "-o", endOut, .. restore]);
            Assert.True(Directory.Exists(Path.Combine(cache, "tunnelgateway.engine")), "the samples were not restored from the package just packed");

            // The relay sample on loopback: plain HTTP for our end, HTTPS for the reference (which speaks TLS only).
            string certificate = WriteCertificate(work.FullName);
            int httpPort = Tcp.FreePort(), httpsPort = Tcp.FreePort();
            await using var relay = LocalProxyProcess.Start(
                [Path.Combine(relayOut, "EmbeddedRelay.dll"), "--urls", $"http://127.0.0.1:{httpPort};https://127.0.0.1:{httpsPort}"],
                new Dictionary<string, string?> { ["Kestrel__Certificates__Default__Path"] = certificate, ["Kestrel__Certificates__Default__Password"] = "sample" },
                executable: ToolProcess.DotnetHost(), log: output.WriteLine);
            await relay.WaitForLineAsync(NowListening(), Bounds.Step);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = Bounds.Step };
            using var opened = await http.PostAsync("/tunnels?services=SSH", null);
            Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
            var tunnel = await opened.Content.ReadFromJsonAsync<JsonElement>();

            using var echo = EchoServer.Start();
            await using var destination = LocalProxyProcess.Start(
                ["-e", $"127.0.0.1:{httpsPort}", "-k", "-d", $"SSH=127.0.0.1:{echo.Port}"],
                new Dictionary<string, string?> { ["AWSIOT_TUNNEL_ACCESS_TOKEN"] = tunnel.GetProperty("destinationAccessToken").GetString() },
                executable: ReferenceProxy.Executable, log: output.WriteLine);
            await destination.WaitForLineAsync(Ends.ReferenceConnected(), Bounds.Step);

            int sourcePort = Tcp.FreePort();
            await using var source = LocalProxyProcess.Start(
                [Path.Combine(endOut, "TunnelEnd.dll"), "source", $"ws://127.0.0.1:{httpPort}", $"SSH={sourcePort}"],
                new Dictionary<string, string?> { ["TUNNEL_ACCESS_TOKEN"] = tunnel.GetProperty("sourceAccessToken").GetString() },
                executable: ToolProcess.DotnetHost(), log: output.WriteLine);
            await source.WaitForLineAsync(Connected(), Bounds.Step);

            var payload = Tcp.RandomBytes(256 * 1024);
            using (var client = await ConnectWhenListeningAsync(sourcePort))
            {
                Assert.Equal(payload, await Tcp.EchoAsync(client, payload));
            }

            Assert.Equal(1, echo.Accepted);

            // SIGTERM stops the session; the sample exits 0 after saying so.
            source.Signal(15);
            Assert.Equal(0, await source.WaitForExitAsync(Bounds.Step));
            Assert.Contains("Stopped", source.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // The source listens once the service has sent SERVICE_IDS, a moment after "Connected".
    private static async Task<System.Net.Sockets.Socket> ConnectWhenListeningAsync(int port)
    {
        using var bound = new CancellationTokenSource(Bounds.Step);
        while (true)
        {
            try
            {
                return await Tcp.ConnectAsync(port);
            }
            catch (System.Net.Sockets.SocketException) when (!bound.IsCancellationRequested)
            {
                await Task.Delay(50, bound.Token);
            }
        }
    }

    private async Task RunDotnetAsync(params string[] args)
    {
        var (code, log) = await ToolProcess.RunAsync(ToolProcess.DotnetHost(), [.. args, "--disable-build-servers", "--nologo"], BuildBound);
        Assert.True(code == 0, $"dotnet {string.Join(' ', args)} exited {code}:\n{log}");
        output.WriteLine(log[log.LastIndexOf("(dotnet finished", StringComparison.Ordinal)..]);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    // A self-signed certificate for 127.0.0.1 (the reference is run with -k), as a PFX for Kestrel.
    private static string WriteCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string path = Path.Combine(directory, "relay.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "sample"));
        return path;
    }

    [GeneratedRegex(@"Now listening on: https://")]
    private static partial Regex NowListening();

    [GeneratedRegex(@"^Connected")]
    private static partial Regex Connected();
}
