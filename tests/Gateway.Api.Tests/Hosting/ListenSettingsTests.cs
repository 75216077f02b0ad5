using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Hosting;

/// <summary>
/// Issue 19: the real gateway process listens where ASP.NET Core's own settings say (appsettings.json's
/// default used to win over ASPNETCORE_URLS and the port variables); a port in use is one line naming the
/// port and the setting, exit code 2; a generated first-admin password is only made once the gateway listens.
/// </summary>
public sealed partial class ListenSettingsTests
{
    private const string DefaultHttpsPort = "5443";

    [Fact]
    public async Task AspNetCoreUrlsIsWhereTheGatewayListens()
    {
        int port = Tcp.FreePort();
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, arguments: []);
        await gateway.WaitStartedAsync();

        Assert.Equal([new Uri($"http://127.0.0.1:{port}")], gateway.Addresses);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TestGateway.Timeout };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task UrlsArgumentIsWhereTheGatewayListens()
    {
        int port = Tcp.FreePort();
        await using var gateway = GatewayProcess.Start(arguments: ["--urls", $"https://127.0.0.1:{port}"]);
        await gateway.WaitStartedAsync();

        Assert.Equal([new Uri($"https://127.0.0.1:{port}")], gateway.Addresses);
    }

    /// <summary>
    /// The port variables listen on every interface by definition, so the process runs in a network
    /// namespace of its own (<c>unshare -n</c>: only a loopback, reachable from nowhere else).
    /// </summary>
    [Fact]
    public async Task HttpAndHttpsPortsVariablesAreWhereTheGatewayListens()
    {
        int http = Tcp.FreePort();
        int https = Tcp.FreePort();
        await using var gateway = GatewayProcess.Start(
            new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = $"{http}", ["ASPNETCORE_HTTPS_PORTS"] = $"{https}" },
            arguments: [],
            wrapper: ["unshare", "--net"]);
        await gateway.WaitStartedAsync();

        Assert.Equal(
            new[] { $"http:{http}", $"https:{https}" },
            gateway.Addresses.Select(a => $"{a.Scheme}:{a.Port}").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(DefaultHttpsPort, gateway.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--urls")]
    [InlineData("ASPNETCORE_URLS")]
    public async Task PortInUseIsOneLineNamingThePortAndTheSettingAndExitCode2(string setting)
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;
        string url = $"https://127.0.0.1:{port}";
        await using var gateway = setting == "--urls"
            ? GatewayProcess.Start(arguments: ["--urls", url])
            : GatewayProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url }, arguments: []);

        int code = await gateway.WaitForExitAsync();

        Assert.True(code == 2, $"exit code {code}, expected 2.\nstdout:\n{gateway.Stdout}\nstderr:\n{gateway.Stderr}");
        var line = Assert.Single(gateway.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"The gateway cannot start: port {port} ({url}, set by {setting}) is already in use by another process: stop that process or choose another address with {setting}.", line);
        string all = gateway.Stdout + "\n" + gateway.Stderr;
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", all, StringComparison.Ordinal);
    }

    /// <summary>
    /// With none of the settings the gateway listens on its default, and the message says so rather than
    /// naming a setting nobody set. 5443 is taken inside a network namespace of the process's own (perl holds
    /// the port and execs the gateway), so the host's 5443 is never touched.
    /// </summary>
    [Fact]
    public async Task PortInUseOnTheDefaultAddressSaysItIsTheDefaultAndWhichSettingsChangeIt()
    {
        await using var gateway = GatewayProcess.Start(
            arguments: [],
            wrapper:
            [
                "unshare", "--net", "perl", "-MIO::Socket::INET", "-e",
                "$^F = 1000; our $held = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => " + DefaultHttpsPort + ", Listen => 1) or die qq(cannot hold the port: $!\\n); exec @ARGV or die qq(exec: $!\\n);",
                "--",
            ]);

        int code = await gateway.WaitForExitAsync();

        Assert.True(code == 2, $"exit code {code}, expected 2.\nstdout:\n{gateway.Stdout}\nstderr:\n{gateway.Stderr}");
        var line = Assert.Single(gateway.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"The gateway cannot start: port {DefaultHttpsPort} (https://127.0.0.1:{DefaultHttpsPort}, the gateway's default: none of --urls, ASPNETCORE_URLS, Urls, ASPNETCORE_HTTP_PORTS, ASPNETCORE_HTTPS_PORTS and Kestrel:Endpoints is set) is already in use by another process: stop that process or choose another address with --urls or ASPNETCORE_URLS.",
            line);
    }

    [Fact]
    public async Task GeneratedAdminPasswordIsNotLostWhenTheFirstStartFails()
    {
        string dataDirectory = TestGateway.NewDataDirectory();
        using (var occupier = new TcpListener(IPAddress.Loopback, 0))
        {
            occupier.Start();
            int taken = ((IPEndPoint)occupier.LocalEndpoint).Port;
            var failed = GatewayProcess.Start(dataDirectory: dataDirectory, arguments: ["--urls", $"https://127.0.0.1:{taken}"], generatedPassword: true);
            Assert.Equal(2, await failed.WaitForExitAsync());
            Assert.DoesNotMatch(PasswordLine(), failed.Stdout);
        }

        // The next start (the operator freed the port) generates the password and prints it.
        await using var gateway = GatewayProcess.Start(dataDirectory: dataDirectory, generatedPassword: true);
        await gateway.WaitStartedAsync();
        var password = PasswordLine().Match(gateway.Stdout);
        Assert.True(password.Success, $"no generated password in:\n{gateway.Stdout}");

        using var client = TrustingClient(gateway);
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = password.Groups[1].Value });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    /// <summary>Trusts exactly the certificate the gateway process generated in its data directory.</summary>
    private static HttpClient TrustingClient(GatewayProcess gateway)
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(gateway.DataDirectory, "tls", "gateway.crt"));
        string thumbprint = certificate.Thumbprint;
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint } };
        return new HttpClient(handler) { BaseAddress = gateway.Addresses.Single(a => a.Scheme == "https"), Timeout = TestGateway.Timeout };
    }

    [GeneratedRegex(@"generated password: (\S+) ")]
    private static partial Regex PasswordLine();
}
